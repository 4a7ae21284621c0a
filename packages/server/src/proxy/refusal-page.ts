/**
 * The small HTML page a browser gets instead of the dashboard when the gateway refuses it
 * (issue 16: "the dashboard's 403 is raw JSON"): what happened, in Gatehouse's style, with a
 * link back to the web UI. Scripts (no `text/html` in Accept) keep the JSON error body.
 * @module
 */
import { headerValue } from '../auth/authenticator.js';

/** A refusal as the dashboard proxy sends it. */
export interface RefusalAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Titles by status. */
const TITLES: Readonly<Record<number, string>> = {
  401: 'Log in to see this dashboard',
  403: 'You may not open this dashboard',
  404: 'No such dashboard',
};

/** `text` with the HTML special characters escaped. */
function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch
  );
}

/** The error message of a JSON error body, or a generic sentence. */
function messageOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) {
      const error = parsed.error;
      if (typeof error === 'string' && error !== '') return error;
    }
  } catch {
    // Not JSON: fall through.
  }
  return 'The gateway refused this request.';
}

/** Whether the request prefers a page (a browser navigating) to JSON. */
export function wantsHtml(headers: Parameters<typeof headerValue>[0]): boolean {
  return /\btext\/html\b/i.test(headerValue(headers, 'accept') ?? '');
}

/** The HTML form of refusal `r`, linking back to the web UI at `uiHref`. */
export function refusalPage(r: RefusalAnswer, requestId: string, uiHref: string): RefusalAnswer {
  const title = TITLES[r.status] ?? 'This dashboard is not available';
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Gatehouse</title>
<style>
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2933;background:#f5f7fa}
header{background:#1f3a5f;color:#fff;padding:.75rem 1.25rem;font-weight:600}
main{max-width:40rem;margin:2rem auto;padding:0 1.25rem}
h1{font-size:1.5rem;margin:0 0 .75rem}
p{margin:0 0 1rem}
a{color:#1a56a6}
a:focus{outline:3px solid #1a56a6;outline-offset:2px}
.id{color:#52606d;font-size:.875rem}
</style></head>
<body><header>Gatehouse</header>
<main><h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(messageOf(r.body))}</p>
<p><a href="${escapeHtml(uiHref)}">Back to your clusters</a></p>
<p class="id">Request id: ${escapeHtml(requestId)}</p></main></body></html>
`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) {
    const lower = k.toLowerCase();
    if (lower !== 'content-type' && lower !== 'content-length') headers[k] = v;
  }
  return {
    status: r.status,
    headers: {
      ...headers,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
    body,
  };
}
