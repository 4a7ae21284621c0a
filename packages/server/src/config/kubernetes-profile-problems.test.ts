/**
 * Tests for the profiles' `kubernetes` sections as the config loader sees them: Nebari's
 * profiles load, and every bad value is refused with a message naming its key path.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load.js';

/** Nebari's worker node group: the selector and the taint's toleration. */
const NEBARI = {
  node_selector: { dedicated: 'worker' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'nebari', effect: 'NoSchedule' }],
};

/** The problems of a config with these profiles, or [] when it loads. */
function problems(profiles: unknown[]): readonly string[] {
  try {
    loadConfig({ values: { profiles }, env: {}, defaultPythonEnv: '/x', cwd: '/srv/gh' });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

/** A Small profile (limits 2 cores / 8 GiB) with a `kubernetes` section. */
function small(kubernetes: unknown): Record<string, unknown> {
  return { name: 'Small', worker_cores: 2, worker_memory: '8 G', kubernetes };
}

describe('profiles[].kubernetes', () => {
  it("loads Nebari's Small and Medium profiles", () => {
    const c = loadConfig({
      values: {
        profiles: [
          small({ requests: { cpu: 1.5, memory: '5G' }, ...NEBARI }),
          {
            name: 'Medium',
            worker_cores: 4,
            worker_memory: '16 G',
            kubernetes: { requests: { cpu: '3', memory: '10G' }, ...NEBARI },
          },
        ],
      },
      env: {},
      defaultPythonEnv: '/x',
      cwd: '/srv/gh',
    });
    assert.deepEqual(c.profiles[0]?.kubernetes?.requests, { cpu: 1.5, memory: '5G' });
    assert.deepEqual(c.profiles[1]?.kubernetes?.tolerations, NEBARI.tolerations);
  });

  it('refuses requests that are no quantity, zero, or above the limits', () => {
    assert.deepEqual(
      problems([
        { name: 'Plain', worker_cores: 1, worker_memory: '1 G' },
        small({ requests: { cpu: '1.5 cores', memory: '5GB' } }),
      ]),
      [
        'profiles[1].kubernetes.requests.cpu: "1.5 cores" is not a Kubernetes quantity (for example 1.5, 1500m, 5G, 5Gi, 512Mi)',
        'profiles[1].kubernetes.requests.memory: "5GB" is not a Kubernetes quantity (for example 1.5, 1500m, 5G, 5Gi, 512Mi)',
      ]
    );
    assert.deepEqual(problems([small({ requests: { cpu: '0', memory: '9Gi' } })]), [
      'profiles[0].kubernetes.requests.cpu: must be more than 0',
      'profiles[0].kubernetes.requests.memory: 9663676416 is more than worker_memory 8589934592; Kubernetes refuses requests above the limits',
    ]);
    assert.deepEqual(problems([small({ requests: { cpu: '2500m', memory: '8Gi' } })]), [
      'profiles[0].kubernetes.requests.cpu: 2.5 is more than worker_cores 2; Kubernetes refuses requests above the limits',
    ]);
  });

  it('refuses bad labels and tolerations the API server would refuse', () => {
    const requests = { cpu: 1, memory: '1G' };
    assert.deepEqual(
      problems([
        small({
          requests,
          node_selector: { 'bad key!': 'x', dedicated: 'not ok' },
          tolerations: [
            { operator: 'Equal', value: 'x' },
            { key: 'dedicated', operator: 'Exists', value: 'nebari' },
            { key: 'k', effect: 'NoSchedule', tolerationSeconds: 30 },
          ],
        }),
      ]),
      [
        'profiles[0].kubernetes.node_selector: "bad key!" is not a valid label key',
        'profiles[0].kubernetes.node_selector.dedicated: "not ok" is not a valid label value',
        'profiles[0].kubernetes.tolerations[0].operator: must be Exists when the key is empty (it then tolerates every taint)',
        'profiles[0].kubernetes.tolerations[1].value: must be empty with operator Exists (got "nebari")',
        'profiles[0].kubernetes.tolerations[2].tolerationSeconds: only applies with effect NoExecute',
      ]
    );
  });

  it('names the key path of schema errors too', () => {
    const out = problems([
      small({ requests: { cpu: 1 }, tolerations: [{ key: 'k', operator: 'In' }] }),
    ]);
    assert.equal(out.length, 2, out.join('\n'));
    assert.match(out[0] ?? '', /^profiles\[0\]\.kubernetes\.requests(\.memory)?: /);
    assert.match(
      out[1] ?? '',
      /^profiles\[0\]\.kubernetes\.tolerations\[0\]\.operator: must be one of "Equal", "Exists" \(got "In"\)$/
    );
  });
});
