/**
 * Renders a cluster record as the ClusterJSON the dask-gateway client parses (spec §3.2):
 * exactly the allowed keys, TLS credentials only while RUNNING.
 * @module
 */
import type { ClusterJson } from '@gatehouse/api';
import { publicStatus, type ClusterRecord } from '../clusters/model.js';

/** The client-facing view of `c`. */
export function toClusterJson(c: ClusterRecord): ClusterJson {
  const status = publicStatus(c);
  const running = status === 'RUNNING';
  return {
    name: c.name,
    dashboard_route: running && c.dashboardAddress !== '' ? `/clusters/${c.name}/status` : null,
    status,
    start_time: c.startTime,
    stop_time: c.stopTime,
    options: { ...c.options },
    tls_cert: running ? c.tlsCert : null,
    tls_key: running ? c.tlsKey : null,
  };
}
