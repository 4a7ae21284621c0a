/**
 * Reads a cluster configuration back from its stored JSON, re-validating it.
 * @module
 */
import { resolveClusterConfig, type ClusterConfig } from '../cluster-options/cluster-config.js';
import { isRecord } from '../cluster-options/guards.js';

/** Parses and validates a stored configuration; throws on corruption. */
export function parseStoredConfig(text: string): ClusterConfig {
  const raw: unknown = JSON.parse(text);
  if (!isRecord(raw)) throw new Error('stored cluster configuration is not an object');
  return resolveClusterConfig({}, raw).config;
}
