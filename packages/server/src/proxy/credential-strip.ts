/**
 * What the dashboard proxy never passes between a viewer and a scheduler (issue 14): schedulers
 * run user code, so the viewer's credentials (Authorization, Proxy-Authorization, every cookie,
 * any X-Gatehouse-* header) are removed from forwarded requests and WebSocket upgrades, and a
 * scheduler's Set-Cookie is removed from its answers, so it can plant nothing in the browser.
 * @module
 */
import type http from 'node:http';

/** Request headers never forwarded to a scheduler (lower case). */
const STRIPPED = new Set(['authorization', 'proxy-authorization', 'cookie']);
/** Prefix of the gateway's own headers, never forwarded either. */
const GATEHOUSE_PREFIX = 'x-gatehouse-';

/** Whether a request header must not reach a scheduler. */
export function isCredentialHeader(name: string): boolean {
  const n = name.toLowerCase();
  return STRIPPED.has(n) || n.startsWith(GATEHOUSE_PREFIX);
}

/** Removes every credential header from an outgoing request to a scheduler. */
export function stripRequestCredentials(proxyReq: http.ClientRequest): void {
  for (const name of proxyReq.getHeaderNames())
    if (isCredentialHeader(name)) proxyReq.removeHeader(name);
}

/** Removes a scheduler's Set-Cookie from its answer before it is passed on. */
export function stripSetCookie(proxyRes: http.IncomingMessage): void {
  delete proxyRes.headers['set-cookie'];
}

/**
 * Wires the stripping into an http-proxy-3 server: requests (`proxyReq`), upgrades
 * (`proxyReqWs`), answers (`proxyRes`) and the answer to an upgrade (101 or a refusal).
 */
export function stripCredentialsOn(proxy: {
  on(event: 'proxyReq' | 'proxyReqWs', fn: (proxyReq: http.ClientRequest) => void): unknown;
  on(event: 'proxyRes', fn: (proxyRes: http.IncomingMessage) => void): unknown;
}): void {
  proxy.on('proxyReq', stripRequestCredentials);
  proxy.on('proxyReqWs', (proxyReq) => {
    stripRequestCredentials(proxyReq);
    // Registered before http-proxy-3's own listeners, so these run before it writes the answer.
    proxyReq.prependListener('upgrade', stripSetCookie);
    proxyReq.prependListener('response', stripSetCookie);
  });
  proxy.on('proxyRes', stripSetCookie);
}
