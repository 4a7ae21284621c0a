/**
 * The config schema as a standalone JSON Schema document, published in `docs/` for editors.
 *
 * Keys that have a default are optional in a file even though the validated config always has
 * them, so they are dropped from `required` here.
 * @module
 */
import { builtinBackends } from '../backends/registry.js';
import { gatewayConfigSchema } from './schema.js';

type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function relaxDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relaxDefaults);
  if (!isNode(node)) return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) out[k] = relaxDefaults(v);
  const props = out['properties'];
  const required = out['required'];
  if (isNode(props) && Array.isArray(required)) {
    const still = required.filter(
      (k) => typeof k === 'string' && !(isNode(props[k]) && 'default' in props[k])
    );
    if (still.length > 0) out['required'] = still;
    else delete out['required'];
  }
  return out;
}

/** The JSON Schema text of the configuration file, with the sections of `backends`. */
export function configJsonSchema(backends = builtinBackends()): string {
  const doc = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Gatehouse configuration',
    ...(relaxDefaults(JSON.parse(JSON.stringify(gatewayConfigSchema(backends)))) as Node),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
