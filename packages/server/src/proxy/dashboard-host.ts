/**
 * Hosts of their own for dashboards (issue 14): each cluster's dashboard is served at
 * `<cluster>.<domain>`, an origin that shares nothing with the gateway's, so a dashboard's
 * scripts (user code) never run with the gateway's authority. The domain is configured
 * (`proxy.dashboard_domain`, a wildcard DNS name), or for a browser that reached the gateway at
 * a loopback address it is `dashboards.localhost`, which browsers resolve to loopback themselves.
 * @module
 */

/** The dashboard domain used when none is configured (for loopback browsers only). */
export const LOCAL_DASHBOARD_DOMAIN = 'dashboards.localhost';

/** A DNS label a cluster's host must be (local names are 32 hex digits). */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A Kubernetes cluster name, `<namespace>.<id>` (upstream's form; the id is hex). */
const NAMESPACED = /^([a-z0-9-]+)\.([0-9a-f]+)$/;

/**
 * The host label of `cluster`: its name, or `<namespace>--<id>` for a Kubernetes name (a dot
 * would make it two labels deep); null when that is no DNS label.
 */
function labelOf(cluster: string): string | null {
  const m = NAMESPACED.exec(cluster);
  const label = m === null ? cluster : `${m[1] ?? ''}--${m[2] ?? ''}`;
  return LABEL.test(label) ? label : null;
}

/** The cluster a host label names: the last `--` before a hex id was a Kubernetes name's dot. */
function clusterOfLabel(label: string): string {
  const at = label.lastIndexOf('--');
  if (at <= 0) return label;
  const id = label.slice(at + 2);
  return /^[0-9a-f]+$/.test(id) ? `${label.slice(0, at)}.${id}` : label;
}

/** The host name of a Host header, lower case, without port or IPv6 brackets. */
export function hostName(host: string | undefined): string {
  const h = (host ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** The `:port` of a Host header, or '' when it names none. */
function hostPort(host: string | undefined): string {
  const m = /:(\d+)$/.exec((host ?? '').trim());
  return m === null ? '' : `:${m[1] ?? ''}`;
}

/** Whether a host name is a loopback address or name (then `*.localhost` reaches this machine). */
export function isLoopbackHost(name: string): boolean {
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
  );
}

/** Decides which hosts are dashboard hosts and where a cluster's dashboard lives. */
export interface DashboardHosts {
  /** The cluster whose dashboard host a request's Host header names, or null. */
  clusterOf(host: string | undefined): string | null;
  /**
   * The origin (`scheme://host[:port]`) of `cluster`'s dashboard for a browser that reached the
   * gateway with Host `gatewayHost`; null when there is none it could use (no domain configured
   * and the browser is not on this machine's loopback).
   */
  originFor(cluster: string, gatewayHost: string | undefined, secure: boolean): string | null;
}

/** Creates the host rules for `domain` (null: `dashboards.localhost`, loopback browsers only). */
export function createDashboardHosts(domain: string | null): DashboardHosts {
  const served = (domain ?? LOCAL_DASHBOARD_DOMAIN).toLowerCase();
  const suffix = `.${served}`;
  return {
    clusterOf(host) {
      const name = hostName(host);
      if (!name.endsWith(suffix)) return null;
      const label = name.slice(0, -suffix.length);
      return LABEL.test(label) ? clusterOfLabel(label) : null;
    },
    originFor(cluster, gatewayHost, secure) {
      const label = labelOf(cluster);
      if (label === null) return null;
      if (domain === null && !isLoopbackHost(hostName(gatewayHost))) return null;
      return `${secure ? 'https' : 'http'}://${label}${suffix}${hostPort(gatewayHost)}`;
    },
  };
}
