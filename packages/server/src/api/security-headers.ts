/**
 * Response headers that keep browsers from misreading or embedding the gateway's own pages:
 * `X-Content-Type-Options: nosniff` and `Referrer-Policy: same-origin` on every API and UI
 * answer, and on the web UI's pages a strict Content-Security-Policy (the built Vite app needs
 * only its own scripts, stylesheets and fetch/SSE connections; React sets inline styles through
 * the CSSOM, which CSP allows) with framing forbidden. Dashboard traffic (`/clusters/…`) is not
 * served here and the dashboard check's answers are left to the dashboard proxy.
 * @module
 */
import type { ApiApp } from './api-app.js';
import { DASHBOARD_CHECK_PATH } from './routes/dashboard-check.js';

/** The web UI's Content-Security-Policy. */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Adds the headers to every answer of `app`; `prefix` is the gateway's URL prefix. */
export function registerSecurityHeaders(app: ApiApp, prefix: string): void {
  const dashboardCheck = `${prefix}${DASHBOARD_CHECK_PATH}`;
  const ui = `${prefix}/ui`;
  app.addHook('onSend', (req, reply, _payload, done) => {
    const url = req.url.split('?')[0] ?? '';
    if (url.startsWith(dashboardCheck)) {
      done();
      return;
    }
    void reply.header('X-Content-Type-Options', 'nosniff');
    void reply.header('Referrer-Policy', 'same-origin');
    const type = String(reply.getHeader('content-type') ?? '');
    if (
      (url === ui || url.startsWith(`${ui}/`) || url === `${prefix}/`) &&
      type.startsWith('text/html')
    ) {
      void reply.header('Content-Security-Policy', UI_CSP);
      void reply.header('X-Frame-Options', 'DENY');
    }
    done();
  });
}
