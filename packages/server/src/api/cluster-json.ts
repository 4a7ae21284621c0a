/**
 * Renders a cluster record as the ClusterJSON the dask-gateway client parses (spec §3.2):
 * exactly the allowed keys, TLS credentials only while RUNNING, option values that may be secret
 * masked for a caller other than the owner (a sharer).
 * @module
 */
import type { ClusterJson } from '@gatehouse/api';
import { publicStatus, type ClusterRecord } from '../clusters/model.js';
import { maskSecretOptions } from './secret-mask.js';

/** The client-facing view of `c`; `masked` for a caller who does not own it. */
export function toClusterJson(c: ClusterRecord, masked = false): ClusterJson {
  const status = publicStatus(c);
  const running = status === 'RUNNING';
  return {
    name: c.name,
    dashboard_route: running && c.dashboardAddress !== '' ? `/clusters/${c.name}/status` : null,
    status,
    start_time: c.startTime,
    stop_time: c.stopTime,
    options: masked ? maskSecretOptions(c.options) : { ...c.options },
    tls_cert: running ? c.tlsCert : null,
    tls_key: running ? c.tlsKey : null,
  };
}
