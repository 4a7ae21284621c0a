/**
 * Renders the nftables scripts of the loopback firewall (`nft -f -` input). Pure text, no I/O:
 * the applier in `loopback-firewall.ts` runs them.
 *
 * One table per gateway instance, hooked on `output` (every packet a local process sends):
 * - only loopback traffic (`oifname "lo"`, which includes the host's own non-loopback
 *   addresses) is looked at, and only the first packet of a connection (`ct state new`);
 * - a packet to a cluster's address (`addresses`) is accepted from root (the gateway) and
 *   from the uid that owns that address (`owners`, address . uid); anything else is rejected;
 * - a cluster uid (`cluster_uids`) may otherwise reach only the gateway API (`api4`/`api6`,
 *   address . port) and, optionally, DNS on 127.0.0.0/8; the rest it sends through `lo`
 *   (other 127.x, the host's own addresses, ::1) is rejected. Traffic leaving the host is
 *   not touched;
 * - every packet a cluster uid sends (any conntrack state, before `established` is accepted)
 *   must carry its own address as source (`owners`), except the original direction of a
 *   connection it opened to its own address (any source), or to the API with the kernel's source, 127.0.0.1 or ::1 or the API
 *   address itself (`api4_sources`/`api6_sources`, source . address . port), or to DNS from
 *   127.0.0.1. So a cluster's listener on an address not its own (the API port while the
 *   gateway is down, another cluster's address) never answers a handshake, and a cluster
 *   cannot pose as another source address (another cluster's, or any 127/8 one) to the API.
 *
 * Only this gateway's addresses and uids are named, so the tables of two gateways on one host
 * (concurrent test gateways) never reject each other's clusters.
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { ClusterIdentity } from './cluster-identity.js';

/** An address and TCP port cluster processes may connect to (the gateway's API). */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** What a rendered table is made of. */
export interface RulesetSpec {
  /** The nftables table name (family `inet`), unique per gateway instance. */
  readonly table: string;
  /** The gateway API endpoints cluster processes may reach. */
  readonly api: readonly Endpoint[];
  /** Whether cluster processes may query DNS (udp/tcp 53) on 127.0.0.0/8. */
  readonly allowDns: boolean;
}

/** A table name nft accepts, from a prefix and an instance id (other characters become `_`). */
export function tableName(instanceId: string): string {
  return `gatehouse_${instanceId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function checkIdentity(i: ClusterIdentity): void {
  for (const n of [i.uid, i.gid]) {
    if (!Number.isInteger(n) || n < 0 || n > 0xfffffffe) throw new Error(`bad uid/gid ${n}`);
  }
  if (i.uid === 0) throw new Error('a cluster cannot run as root');
  if (!isIPv4(i.address)) throw new Error(`cluster address ${i.address} is not IPv4`);
}

function checkSpec(spec: RulesetSpec): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(spec.table)) throw new Error(`bad table ${spec.table}`);
  for (const e of spec.api) {
    if (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535) {
      throw new Error(`bad API port ${e.port}`);
    }
    if (!isIPv4(e.address) && !isIPv6(e.address)) throw new Error(`bad API address ${e.address}`);
  }
}

const uidsOf = (ids: readonly ClusterIdentity[]) => [...new Set(ids.map((i) => String(i.uid)))];
const ownersOf = (ids: readonly ClusterIdentity[]) => ids.map((i) => `${i.address} . ${i.uid}`);
const addressesOf = (ids: readonly ClusterIdentity[]) => [...new Set(ids.map((i) => i.address))];

/** `add element` lines (nothing for an empty list). */
function elements(table: string, set: string, items: readonly string[]): string[] {
  return items.length === 0 ? [] : [`add element inet ${table} ${set} { ${items.join(', ')} }`];
}

/**
 * The whole table with `identities` as its elements, replacing any table of that name in one
 * transaction (the `add` makes the `delete` safe when it does not exist yet). Packets of open
 * connections pass throughout: they are `established` in conntrack.
 */
export function renderTable(spec: RulesetSpec, identities: readonly ClusterIdentity[]): string {
  checkSpec(spec);
  identities.forEach(checkIdentity);
  const t = spec.table;
  const dnsMatch = 'ip daddr 127.0.0.0/8 meta l4proto { tcp, udp } th dport 53';
  const dns = spec.allowDns ? [`    ${dnsMatch} accept`] : [];
  const dnsSource = spec.allowDns
    ? [`    ct direction original ip saddr 127.0.0.1 ${dnsMatch} return`]
    : [];
  const reject = ['    meta l4proto tcp reject with tcp reset', '    reject'];
  return [
    `add table inet ${t}`,
    `delete table inet ${t}`,
    `table inet ${t} {`,
    '  set cluster_uids { type uid; }',
    '  set addresses { type ipv4_addr; }',
    '  set owners { type ipv4_addr . uid; }',
    '  set api4 { type ipv4_addr . inet_service; }',
    '  set api6 { type ipv6_addr . inet_service; }',
    '  set api4_sources { type ipv4_addr . ipv4_addr . inet_service; }',
    '  set api6_sources { type ipv6_addr . ipv6_addr . inet_service; }',
    '  chain output {',
    '    type filter hook output priority filter; policy accept;',
    '    oifname != "lo" accept',
    '    meta skuid @cluster_uids jump cluster_source',
    '    ct state established,related accept',
    '    ip daddr . meta skuid @owners accept',
    '    ip daddr @addresses jump to_cluster',
    '    meta skuid @cluster_uids jump from_cluster',
    '  }',
    '  chain cluster_source {',
    '    ip saddr . meta skuid @owners return',
    '    ct direction original ip daddr . meta skuid @owners return',
    '    ct direction original ip saddr . ip daddr . tcp dport @api4_sources return',
    '    ct direction original ip6 saddr . ip6 daddr . tcp dport @api6_sources return',
    ...dnsSource,
    ...reject,
    '  }',
    '  chain to_cluster {',
    '    meta skuid 0 accept',
    ...reject,
    '  }',
    '  chain from_cluster {',
    '    ip daddr . tcp dport @api4 accept',
    '    ip6 daddr . tcp dport @api6 accept',
    ...dns,
    ...reject,
    '  }',
    '}',
    ...elements(t, 'cluster_uids', uidsOf(identities)),
    ...elements(t, 'addresses', addressesOf(identities)),
    ...elements(t, 'owners', ownersOf(identities)),
    ...apiElements(spec),
    '',
  ].join('\n');
}

/** The source addresses the kernel picks for a connection to `address` through `lo`. */
const kernelSources = (address: string, loopback: string) => [...new Set([loopback, address])];

/** The API sets' elements: endpoints, and endpoints with the sources a cluster may use. */
function apiElements(spec: RulesetSpec): string[] {
  const of = (is: (a: string) => boolean) =>
    spec.api.filter((e) => is(e.address)).map((e) => `${e.address} . ${e.port}`);
  const sources = (is: (a: string) => boolean, loopback: string) =>
    spec.api
      .filter((e) => is(e.address))
      .flatMap((e) =>
        kernelSources(e.address, loopback).map((src) => `${src} . ${e.address} . ${e.port}`)
      );
  return [
    ...elements(spec.table, 'api4', of(isIPv4)),
    ...elements(spec.table, 'api6', of(isIPv6)),
    ...elements(spec.table, 'api4_sources', sources(isIPv4, '127.0.0.1')),
    ...elements(spec.table, 'api6_sources', sources(isIPv6, '::1')),
  ];
}

/** Replaces the API sets' elements of an existing table (one transaction). */
export function renderApi(spec: RulesetSpec): string {
  checkSpec(spec);
  const t = spec.table;
  const flush = ['api4', 'api6', 'api4_sources', 'api6_sources'].map(
    (n) => `flush set inet ${t} ${n}`
  );
  return [...flush, ...apiElements(spec), ''].join('\n');
}

/** Adds one cluster's elements (adding an element that exists is not an error). */
export function renderAllow(table: string, identity: ClusterIdentity): string {
  checkIdentity(identity);
  return [
    ...elements(table, 'cluster_uids', uidsOf([identity])),
    ...elements(table, 'addresses', addressesOf([identity])),
    ...elements(table, 'owners', ownersOf([identity])),
    '',
  ].join('\n');
}

/** Whether a removed cluster's uid or address is still used by another cluster. */
export interface StillUsed {
  readonly uid: boolean;
  readonly address: boolean;
}

/**
 * Removes one cluster's elements; its uid and address leave their sets only when no other
 * cluster uses them. Each element is added first so the delete cannot fail on a missing one.
 */
export function renderRemove(
  table: string,
  identity: ClusterIdentity,
  stillUsed: StillUsed
): string {
  checkIdentity(identity);
  const drop = (set: string, item: string) => [
    `add element inet ${table} ${set} { ${item} }`,
    `delete element inet ${table} ${set} { ${item} }`,
  ];
  return [
    ...drop('owners', `${identity.address} . ${identity.uid}`),
    ...(stillUsed.address ? [] : drop('addresses', identity.address)),
    ...(stillUsed.uid ? [] : drop('cluster_uids', String(identity.uid))),
    '',
  ].join('\n');
}

/** Deletes the table (nothing happens when it is already gone). */
export function renderDelete(table: string): string {
  return `add table inet ${table}\ndelete table inet ${table}\n`;
}
