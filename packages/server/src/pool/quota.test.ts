/**
 * Tests for per-user quotas: resolving the effective quota from default, group and user settings,
 * refusing creates and clamping scale requests, with messages that name the limit and the use.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkCreate,
  clampWorkers,
  effectiveQuota,
  type Quota,
  type QuotaConfig,
  type Usage,
} from './quota.js';

const GIB = 2 ** 30;

/** A quota with every limit unset (unlimited) apart from `over`. */
function quota(over: Partial<Quota> = {}): Quota {
  return { maxClusters: null, maxWorkers: null, maxCores: null, maxMemory: null, ...over };
}

/** Usage of nothing, apart from `over`. */
function usage(over: Partial<Usage> = {}): Usage {
  return { clusters: 0, workers: 0, cores: 0, memory: 0, ...over };
}

/** A quota configuration with nothing set, apart from `over`. */
function config(over: Partial<QuotaConfig> = {}): QuotaConfig {
  return { default: {}, groups: {}, users: {}, ...over };
}

describe('effectiveQuota', () => {
  it('is unlimited when nothing is set', () => {
    assert.deepEqual(effectiveQuota(config(), { name: 'alice', groups: [] }), quota());
  });

  it('uses the default for keys nobody else sets', () => {
    const cfg = config({ default: { maxClusters: 2, maxCores: 8 } });
    assert.deepEqual(
      effectiveQuota(cfg, { name: 'alice', groups: ['staff'] }),
      quota({ maxClusters: 2, maxCores: 8 })
    );
  });

  it("takes the most generous value among the user's groups, per key", () => {
    const cfg = config({
      default: { maxClusters: 1, maxCores: 4, maxMemory: 16 * GIB },
      groups: {
        staff: { maxClusters: 2, maxCores: 16 },
        research: { maxClusters: 5, maxCores: 8, maxWorkers: 10 },
        other: { maxClusters: 100 },
      },
    });
    assert.deepEqual(
      effectiveQuota(cfg, { name: 'alice', groups: ['staff', 'research'] }),
      quota({ maxClusters: 5, maxWorkers: 10, maxCores: 16, maxMemory: 16 * GIB })
    );
  });

  it('prefers a smaller group value over a larger default (groups replace the default)', () => {
    const cfg = config({ default: { maxCores: 16 }, groups: { trial: { maxCores: 2 } } });
    assert.equal(effectiveQuota(cfg, { name: 'alice', groups: ['trial'] }).maxCores, 2);
  });

  it('treats a group that sets null as unlimited, the most generous value', () => {
    const cfg = config({
      default: { maxCores: 4 },
      groups: { staff: { maxCores: 16 }, admins: { maxCores: null } },
    });
    assert.equal(
      effectiveQuota(cfg, { name: 'alice', groups: ['staff', 'admins'] }).maxCores,
      null
    );
    assert.equal(
      effectiveQuota(cfg, { name: 'alice', groups: ['admins', 'staff'] }).maxCores,
      null
    );
    assert.equal(effectiveQuota(cfg, { name: 'bob', groups: ['staff'] }).maxCores, 16);
  });

  it('lets user override keys win over groups, even when stricter', () => {
    const cfg = config({
      default: { maxClusters: 1 },
      groups: { staff: { maxClusters: 5, maxWorkers: 20, maxCores: null } },
      users: { alice: { maxWorkers: 2, maxCores: 8 } },
    });
    assert.deepEqual(
      effectiveQuota(cfg, { name: 'alice', groups: ['staff'] }),
      quota({ maxClusters: 5, maxWorkers: 2, maxCores: 8 })
    );
  });

  it('lets a user override of null lift a group or default limit', () => {
    const cfg = config({
      default: { maxMemory: 32 * GIB },
      groups: { staff: { maxMemory: 64 * GIB } },
      users: { alice: { maxMemory: null } },
    });
    assert.equal(effectiveQuota(cfg, { name: 'alice', groups: ['staff'] }).maxMemory, null);
    assert.equal(effectiveQuota(cfg, { name: 'alice', groups: [] }).maxMemory, null);
  });

  it('ignores unknown groups and keys present but undefined', () => {
    const loose = { maxClusters: undefined } as unknown as Partial<Quota>;
    const cfg = config({
      default: { maxClusters: 3 },
      groups: { staff: loose },
      users: { alice: loose },
    });
    assert.equal(
      effectiveQuota(cfg, { name: 'alice', groups: ['staff', 'nobody'] }).maxClusters,
      3
    );
  });

  it('does not read inherited properties as group or user settings', () => {
    const cfg = config({ default: { maxClusters: 3 } });
    const q = effectiveQuota(cfg, { name: 'constructor', groups: ['toString', '__proto__'] });
    assert.deepEqual(q, quota({ maxClusters: 3 }));
  });

  it('keeps zero limits (zero is a limit, not "unset")', () => {
    const cfg = config({ default: { maxClusters: 2 }, users: { alice: { maxClusters: 0 } } });
    assert.equal(effectiveQuota(cfg, { name: 'alice', groups: [] }).maxClusters, 0);
  });
});

describe('checkCreate', () => {
  it('allows anything under an unlimited quota', () => {
    const busy = usage({ clusters: 100, workers: 1000, cores: 1e6, memory: 1e15 });
    assert.equal(checkCreate(quota(), busy, 1, 2 * GIB), null);
  });

  it('allows a create that reaches every limit exactly', () => {
    const q = quota({ maxClusters: 2, maxCores: 4, maxMemory: 8 * GIB, maxWorkers: 0 });
    const u = usage({ clusters: 1, cores: 3, memory: 6 * GIB, workers: 0 });
    assert.equal(checkCreate(q, u, 1, 2 * GIB), null);
  });

  it('refuses one cluster too many, naming the limit and the current use', () => {
    const msg = checkCreate(quota({ maxClusters: 2 }), usage({ clusters: 2 }), 1, 2 * GIB);
    assert.equal(
      msg,
      'You have 2 active clusters, the limit is 2 (quota max_clusters). ' +
        'Stop one of them before starting another.'
    );
    assert.match(
      checkCreate(quota({ maxClusters: 1 }), usage({ clusters: 1 }), 1, 2 * GIB) ?? '',
      /^You have 1 active cluster, the limit is 1 /
    );
  });

  it('says a user with max_clusters 0 may not start clusters', () => {
    const msg = checkCreate(quota({ maxClusters: 0 }), usage(), 1, 2 * GIB);
    assert.equal(msg, 'Your quota does not allow you to start clusters (quota max_clusters is 0).');
  });

  it('refuses a scheduler that would break max_cores, naming the limit and the use', () => {
    const msg = checkCreate(quota({ maxCores: 16 }), usage({ cores: 15.5 }), 1, 2 * GIB);
    assert.equal(
      msg,
      'Starting a cluster needs 1 core for its scheduler, but you are using 15.5 of your ' +
        'quota of 16 cores (quota max_cores). Stop or scale down a cluster first.'
    );
  });

  it('refuses a scheduler that would break max_memory, in binary units', () => {
    const msg = checkCreate(
      quota({ maxMemory: 16 * GIB }),
      usage({ memory: 15 * GIB }),
      1,
      2 * GIB
    );
    assert.equal(
      msg,
      'Starting a cluster needs 2.00 GiB of memory for its scheduler, but you are using ' +
        '15.00 GiB of your quota of 16.00 GiB (quota max_memory). ' +
        'Stop or scale down a cluster first.'
    );
  });

  it('says a user with no cores or no memory may not start clusters', () => {
    assert.equal(
      checkCreate(quota({ maxCores: 0 }), usage(), 2, 2 * GIB),
      'Your quota does not allow you to use any cores (quota max_cores is 0), ' +
        'so you may not start clusters: a scheduler needs 2 cores.'
    );
    assert.equal(
      checkCreate(quota({ maxMemory: 0 }), usage(), 1, 2 * GIB),
      'Your quota does not allow you to use any memory (quota max_memory is 0), ' +
        'so you may not start clusters: a scheduler needs 2.00 GiB.'
    );
  });

  it('reports the cluster limit first when several are broken', () => {
    const q = quota({ maxClusters: 1, maxCores: 1, maxMemory: GIB });
    const u = usage({ clusters: 1, cores: 1, memory: GIB });
    assert.match(checkCreate(q, u, 1, GIB) ?? '', /max_clusters/);
    assert.match(checkCreate({ ...q, maxClusters: null }, u, 1, GIB) ?? '', /max_cores/);
  });

  it('does not check max_workers: a new cluster has no workers', () => {
    assert.equal(checkCreate(quota({ maxWorkers: 0 }), usage({ workers: 5 }), 1, GIB), null);
  });

  it('allows a scheduler that takes nothing, even above a limit', () => {
    assert.equal(checkCreate(quota({ maxCores: 4 }), usage({ cores: 6 }), 0, GIB), null);
  });

  it('tolerates rounding in fractional cores', () => {
    assert.equal(checkCreate(quota({ maxCores: 0.3 }), usage({ cores: 0.1 + 0.1 }), 0.1, 0), null);
    const msg = checkCreate(quota({ maxCores: 0.3 }), usage({ cores: 0.1 + 0.2 }), 0.1, 0);
    assert.match(msg ?? '', /you are using 0\.3 of your quota of 0\.3 cores/);
  });
});

describe('clampWorkers', () => {
  it('grants the request when no limit is in the way', () => {
    assert.deepEqual(clampWorkers(quota(), usage(), 1000, 2, 8 * GIB), { count: 1000, msg: null });
    const q = quota({ maxWorkers: 10, maxCores: 20, maxMemory: 80 * GIB });
    assert.deepEqual(clampWorkers(q, usage(), 10, 2, 8 * GIB), { count: 10, msg: null });
  });

  it('clamps to max_cores, naming the limit and the cores in use', () => {
    const r = clampWorkers(quota({ maxCores: 16 }), usage({ cores: 12 }), 10, 2, 8 * GIB);
    assert.deepEqual(r, {
      count: 2,
      msg:
        'Scale request of 10 workers would exceed your quota of 16 cores (12 already in use). ' +
        'Scaling to 2 instead.',
    });
  });

  it('clamps to max_workers, naming the limit and the workers in use', () => {
    const r = clampWorkers(quota({ maxWorkers: 8 }), usage({ workers: 6 }), 5, 1, GIB);
    assert.deepEqual(r, {
      count: 2,
      msg:
        'Scale request of 5 workers would exceed your quota of 8 workers (6 already in use). ' +
        'Scaling to 2 instead.',
    });
  });

  it('clamps to max_memory, in binary units', () => {
    const r = clampWorkers(
      quota({ maxMemory: 64 * GIB }),
      usage({ memory: 40 * GIB }),
      4,
      1,
      8 * GIB
    );
    assert.deepEqual(r, {
      count: 3,
      msg:
        'Scale request of 4 workers would exceed your quota of 64.00 GiB memory ' +
        '(40.00 GiB already in use). Scaling to 3 instead.',
    });
  });

  it('names the limit that allows the fewest workers', () => {
    const q = quota({ maxWorkers: 6, maxCores: 8, maxMemory: 100 * GIB });
    const r = clampWorkers(q, usage(), 10, 2, 8 * GIB);
    assert.equal(r.count, 4);
    assert.match(r.msg ?? '', /quota of 8 cores/);
  });

  it('names workers, then cores, then memory when limits tie', () => {
    const q = quota({ maxWorkers: 4, maxCores: 8, maxMemory: 32 * GIB });
    assert.match(clampWorkers(q, usage(), 10, 2, 8 * GIB).msg ?? '', /quota of 4 workers/);
    const noWorkers = { ...q, maxWorkers: null };
    assert.match(clampWorkers(noWorkers, usage(), 10, 2, 8 * GIB).msg ?? '', /quota of 8 cores/);
  });

  it('clamps to 0 when other usage already exceeds a limit, never below', () => {
    const r = clampWorkers(quota({ maxCores: 16 }), usage({ cores: 20 }), 3, 2, GIB);
    assert.deepEqual(r, {
      count: 0,
      msg:
        'Scale request of 3 workers would exceed your quota of 16 cores (20 already in use). ' +
        'Scaling to 0 instead.',
    });
  });

  it('says so when the quota allows no workers at all', () => {
    const r = clampWorkers(quota({ maxWorkers: 0 }), usage(), 1, 1, GIB);
    assert.deepEqual(r, {
      count: 0,
      msg: 'Your quota does not allow any workers (quota max_workers is 0). Scaling to 0 instead.',
    });
  });

  it('uses the singular for one worker and one core', () => {
    const r = clampWorkers(quota({ maxCores: 1 }), usage({ cores: 1 }), 1, 1, GIB);
    assert.equal(
      r.msg,
      'Scale request of 1 worker would exceed your quota of 1 core (1 already in use). ' +
        'Scaling to 0 instead.'
    );
  });

  it('does not limit workers of zero cores or zero memory by that dimension', () => {
    const q = quota({ maxCores: 1, maxMemory: GIB });
    assert.deepEqual(clampWorkers(q, usage({ cores: 5, memory: 5 * GIB }), 3, 0, 0), {
      count: 3,
      msg: null,
    });
  });

  it('tolerates rounding in fractional cores', () => {
    const r = clampWorkers(quota({ maxCores: 1 }), usage({ cores: 0.7 }), 5, 0.1, 0);
    assert.equal(r.count, 3);
    assert.match(r.msg ?? '', /quota of 1 core \(0\.7 already in use\)/);
  });

  it('never raises a request below the limit', () => {
    const q = quota({ maxWorkers: 10 });
    assert.deepEqual(clampWorkers(q, usage({ workers: 2 }), 0, 1, GIB), { count: 0, msg: null });
  });
});
