/**
 * The server version reported by `/api/version`. It matches the dask-gateway release whose
 * wire contract Gatehouse implements, so version checks in clients pass.
 * @module
 */

/** Reported on `/api/version`. */
export const GATEWAY_VERSION = '2026.3.0';
