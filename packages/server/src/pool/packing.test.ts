/**
 * Tests for packing demands onto the shared pool: the product rule (Small workers two per machine,
 * Medium one, 10 machines of 4 cores / 16 GiB), per-user machines, both capacity dimensions,
 * several machine types, determinism, and `maxFitting` with and without a per-user cap.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxFitting, pack, type Demand, type MachineType, type PackResult } from './packing.js';

const GIB = 2 ** 30;

/** The product's pool: 10 worker machines of 4 cores / 16 GiB. */
const POOL: readonly MachineType[] = [{ name: 'worker', cores: 4, memory: 16 * GIB, count: 10 }];

/** A demand with explicit sizes. */
function demand(
  user: string,
  cluster: string,
  cores: number,
  memory: number,
  count: number,
  order = 0
): Demand {
  return { user, cluster, cores, memory, count, order };
}

/** `count` Small workers (2 cores / 8 GiB). */
function small(user: string, cluster: string, count: number, order = 0): Demand {
  return demand(user, cluster, 2, 8 * GIB, count, order);
}

/** `count` Medium workers (4 cores / 16 GiB). */
function medium(user: string, cluster: string, count: number, order = 0): Demand {
  return demand(user, cluster, 4, 16 * GIB, count, order);
}

/** A scheduler slot of 1 core / 2 GiB. */
function scheduler(user: string, cluster: string, order = 0): Demand {
  return demand(user, cluster, 1, 2 * GIB, 1, order);
}

/** The number of slots on each machine, in opening order. */
function slotsPerMachine(result: PackResult): number[] {
  return result.machines.map((m) => m.slots.length);
}

/** The clusters of each machine's slots, in opening order. */
function clustersPerMachine(result: PackResult): string[][] {
  return result.machines.map((m) => m.slots.map((s) => s.cluster));
}

describe('pack: the product rule on 10 machines of 4 cores / 16 GiB', () => {
  it('fits nothing into nothing', () => {
    const r = pack(POOL, []);
    assert.equal(r.fits, true);
    assert.equal(r.unplaced, 0);
    assert.equal(r.machinesUsed, 0);
    assert.equal(r.usersWithMachines, 0);
    assert.deepEqual([...r.machinesByUser], []);
  });

  it('fits 20 Small workers on all 10 machines, two per machine', () => {
    const r = pack(POOL, [small('alice', 'c1', 20)]);
    assert.equal(r.fits, true);
    assert.equal(r.unplaced, 0);
    assert.equal(r.machinesUsed, 10);
    assert.deepEqual(slotsPerMachine(r), Array<number>(10).fill(2));
    assert.deepEqual(
      r.machines.map((m) => [m.machineType, m.index, m.user]),
      Array.from({ length: 10 }, (_, i) => ['worker', i, 'alice'])
    );
    assert.deepEqual(r.machines[0]?.slots, [
      { cluster: 'c1', cores: 2, memory: 8 * GIB },
      { cluster: 'c1', cores: 2, memory: 8 * GIB },
    ]);
  });

  it('does not fit a 21st Small worker', () => {
    const r = pack(POOL, [small('alice', 'c1', 21)]);
    assert.equal(r.fits, false);
    assert.equal(r.unplaced, 1);
    assert.equal(r.machinesUsed, 10);
  });

  it('fits 10 Medium workers, one per machine, but not an 11th', () => {
    const ten = pack(POOL, [medium('alice', 'c1', 10)]);
    assert.equal(ten.fits, true);
    assert.equal(ten.machinesUsed, 10);
    assert.deepEqual(slotsPerMachine(ten), Array<number>(10).fill(1));
    const eleven = pack(POOL, [medium('alice', 'c1', 11)]);
    assert.equal(eleven.fits, false);
    assert.equal(eleven.unplaced, 1);
  });

  it('puts 3 Small workers on 2 machines', () => {
    const r = pack(POOL, [small('alice', 'c1', 3)]);
    assert.equal(r.fits, true);
    assert.equal(r.machinesUsed, 2);
    assert.deepEqual(slotsPerMachine(r), [2, 1]);
    assert.deepEqual([...r.machinesByUser], [['alice', 2]]);
  });

  it('gives each user their own machines: A 3 Small + B 1 Medium = 3 machines', () => {
    const r = pack(POOL, [small('alice', 'a1', 3, 1), medium('bob', 'b1', 1, 2)]);
    assert.equal(r.fits, true);
    assert.equal(r.machinesUsed, 3);
    assert.equal(r.usersWithMachines, 2);
    assert.deepEqual(
      [...r.machinesByUser],
      [
        ['alice', 2],
        ['bob', 1],
      ]
    );
    assert.deepEqual(
      r.machines.map((m) => m.user),
      ['alice', 'alice', 'bob']
    );
  });

  it('never shares a machine between users, even when both slots would fit on one', () => {
    const r = pack(POOL, [small('alice', 'a1', 1, 1), small('bob', 'b1', 1, 2)]);
    assert.equal(r.machinesUsed, 2);
    for (const m of r.machines) assert.equal(new Set(m.slots.map((s) => s.cluster)).size, 1);
  });

  it("shares a machine between one user's clusters", () => {
    const r = pack(POOL, [small('alice', 'a1', 1, 1), small('alice', 'a2', 1, 2)]);
    assert.equal(r.machinesUsed, 1);
    assert.deepEqual(clustersPerMachine(r), [['a1', 'a2']]);
  });

  it("fills gaps in a user's earlier machines first (first-fit in opening order)", () => {
    const r = pack(POOL, [
      small('alice', 'a1', 3, 1),
      medium('alice', 'a2', 1, 2),
      small('alice', 'a3', 1, 3),
    ]);
    assert.equal(r.machinesUsed, 3);
    assert.deepEqual(clustersPerMachine(r), [['a1', 'a1'], ['a1', 'a3'], ['a2']]);
  });

  it('counts a scheduler demand as a slot sharing its user machine with a Small worker', () => {
    const r = pack(POOL, [scheduler('alice', 'a1'), small('alice', 'a1', 1)]);
    assert.equal(r.fits, true);
    assert.equal(r.machinesUsed, 1);
    assert.deepEqual(r.machines[0]?.slots, [
      { cluster: 'a1', cores: 2, memory: 8 * GIB },
      { cluster: 'a1', cores: 1, memory: 2 * GIB },
    ]);
  });

  it('needs a third machine for a scheduler beside 4 Small workers', () => {
    const r = pack(POOL, [scheduler('alice', 'a1'), small('alice', 'a1', 4)]);
    assert.equal(r.machinesUsed, 3);
    assert.deepEqual(slotsPerMachine(r), [2, 2, 1]);
  });
});

describe('pack: capacity dimensions', () => {
  it('allows fractional cores: 0.5-core workers pack 8 per 4-core machine', () => {
    const half = (count: number): Demand => demand('alice', 'c1', 0.5, 2 * GIB, count);
    const r = pack(POOL, [half(80)]);
    assert.equal(r.fits, true);
    assert.deepEqual(slotsPerMachine(r), Array<number>(10).fill(8));
    assert.equal(pack(POOL, [half(81)]).unplaced, 1);
  });

  it('tolerates rounding in fractional cores: 40 workers of 0.1 cores fill one machine', () => {
    const r = pack(POOL, [demand('alice', 'c1', 0.1, 0, 40)]);
    assert.equal(r.machinesUsed, 1);
    assert.equal(pack(POOL, [demand('alice', 'c1', 0.1, 0, 41)]).machinesUsed, 2);
  });

  it('binds on memory when memory runs out first: 1 core / 12 GiB is 1 per machine', () => {
    const big = (count: number): Demand => demand('alice', 'c1', 1, 12 * GIB, count);
    const ten = pack(POOL, [big(10)]);
    assert.equal(ten.fits, true);
    assert.equal(ten.machinesUsed, 10);
    assert.deepEqual(slotsPerMachine(ten), Array<number>(10).fill(1));
    assert.equal(pack(POOL, [big(11)]).unplaced, 1);
  });

  it('fits a slot exactly the size of a machine', () => {
    assert.equal(pack(POOL, [demand('alice', 'c1', 4, 16 * GIB, 1)]).fits, true);
  });

  it('never places a slot larger than every machine type, in cores or in memory', () => {
    for (const [cores, memory] of [
      [8, GIB],
      [1, 32 * GIB],
      [4, 16 * GIB + 1],
    ] as const) {
      const r = pack(POOL, [demand('alice', 'c1', cores, memory, 3)]);
      assert.equal(r.fits, false);
      assert.equal(r.unplaced, 3);
      assert.equal(r.machinesUsed, 0);
    }
  });

  it('still places other demands around an oversized one', () => {
    const r = pack(POOL, [demand('alice', 'c1', 8, GIB, 1, 1), small('bob', 'b1', 2, 2)]);
    assert.equal(r.fits, false);
    assert.equal(r.unplaced, 1);
    assert.deepEqual([...r.machinesByUser], [['bob', 1]]);
  });

  it('never places slots of negative or non-finite size', () => {
    for (const [cores, memory] of [
      [-1, GIB],
      [1, -GIB],
      [Number.NaN, GIB],
      [1, Infinity],
    ] as const) {
      const r = pack(POOL, [demand('alice', 'c1', cores, memory, 1)]);
      assert.equal(r.unplaced, 1);
      assert.equal(r.machinesUsed, 0);
    }
  });

  it('counts whole slots: fractions are dropped, negative counts are none', () => {
    const r = pack(POOL, [small('alice', 'c1', 2.7), small('bob', 'b1', -3)]);
    assert.equal(r.fits, true);
    assert.equal(r.unplaced, 0);
    assert.deepEqual(slotsPerMachine(r), [2]);
  });
});

describe('pack: machine types', () => {
  const SMALL_MACHINE: MachineType = { name: 'small', cores: 2, memory: 8 * GIB, count: 2 };
  const BIG_MACHINE: MachineType = { name: 'big', cores: 4, memory: 16 * GIB, count: 10 };

  it('opens machines of the first listed type that fits, then the next', () => {
    const r = pack([SMALL_MACHINE, BIG_MACHINE], [small('alice', 'c1', 5)]);
    assert.equal(r.fits, true);
    assert.deepEqual(
      r.machines.map((m) => [m.machineType, m.index, m.slots.length]),
      [
        ['small', 0, 1],
        ['small', 1, 1],
        ['big', 0, 2],
        ['big', 1, 1],
      ]
    );
  });

  it('opens the larger type first when it is listed first', () => {
    const r = pack([BIG_MACHINE, SMALL_MACHINE], [small('alice', 'c1', 5)]);
    assert.deepEqual(
      r.machines.map((m) => m.machineType),
      ['big', 'big', 'big']
    );
  });

  it('skips a type too small for the slot', () => {
    const r = pack([SMALL_MACHINE, BIG_MACHINE], [medium('alice', 'c1', 1)]);
    assert.deepEqual(
      r.machines.map((m) => [m.machineType, m.index]),
      [['big', 0]]
    );
  });

  it('numbers machines per type across users', () => {
    const r = pack(
      [SMALL_MACHINE, BIG_MACHINE],
      [small('alice', 'a1', 1, 1), small('bob', 'b1', 1, 2), small('carol', 'c1', 1, 3)]
    );
    assert.deepEqual(
      r.machines.map((m) => [m.machineType, m.index, m.user]),
      [
        ['small', 0, 'alice'],
        ['small', 1, 'bob'],
        ['big', 0, 'carol'],
      ]
    );
  });

  it('never opens a type with no machines, and caps each type at its count', () => {
    const none: MachineType = { ...SMALL_MACHINE, count: 0 };
    assert.equal(pack([none], [small('alice', 'c1', 1)]).unplaced, 1);
    const r = pack([none, BIG_MACHINE], [small('alice', 'c1', 1)]);
    assert.deepEqual(
      r.machines.map((m) => m.machineType),
      ['big']
    );
    assert.equal(pack([SMALL_MACHINE], [small('alice', 'c1', 3)]).unplaced, 1);
  });
});

describe('pack: order and determinism', () => {
  const demands: readonly Demand[] = [
    small('alice', 'a1', 3, 10),
    medium('bob', 'b1', 2, 5),
    scheduler('alice', 'a1', 10),
    small('carol', 'c1', 1, 5),
    demand('alice', 'a2', 0.5, 2 * GIB, 5, 20),
    medium('dave', 'd1', 9, 30),
  ];

  it('gives the same result for any input order', () => {
    const expected = pack(POOL, demands);
    const permutations = [
      [...demands].reverse(),
      [...demands.slice(3), ...demands.slice(0, 3)],
      [...demands].sort((a, b) => (a.cluster < b.cluster ? 1 : -1)),
    ];
    for (const p of permutations) assert.deepEqual(pack(POOL, p), expected);
  });

  it('places earlier demands first: a later one loses when the pool is short', () => {
    const result = (list: Demand[]): PackResult => pack(POOL, list);
    const early = small('bob', 'b1', 2, 1);
    const late = small('alice', 'a1', 20, 5);
    for (const r of [result([late, early]), result([early, late])]) {
      assert.equal(r.unplaced, 2);
      assert.deepEqual(
        [...r.machinesByUser],
        [
          ['bob', 1],
          ['alice', 9],
        ]
      );
    }
  });

  it('breaks ties in order by cluster name', () => {
    const r = pack(POOL, [medium('zed', 'zz', 10, 1), medium('amy', 'aa', 10, 1)]);
    assert.deepEqual([...r.machinesByUser], [['amy', 10]]);
    assert.equal(r.unplaced, 10);
  });

  it("places a cluster's larger slots before its smaller ones", () => {
    const r = pack(POOL, [scheduler('alice', 'a1'), medium('alice', 'a1', 1)]);
    assert.deepEqual(
      r.machines.map((m) => m.slots.map((s) => s.cores)),
      [[4], [1]]
    );
  });
});

describe('maxFitting', () => {
  it('is the whole request when it fits', () => {
    assert.equal(maxFitting(POOL, [], small('alice', 'c1', 5)), 5);
    assert.equal(maxFitting(POOL, [], small('alice', 'c1', 20)), 20);
  });

  it('is what the pool holds when the request is larger', () => {
    assert.equal(maxFitting(POOL, [], small('alice', 'c1', 25)), 20);
    assert.equal(maxFitting(POOL, [], medium('alice', 'c1', 15)), 10);
    assert.equal(maxFitting(POOL, [], small('alice', 'c1', 1_000_000)), 20);
  });

  it('is 0 for nothing wanted and for a slot no machine can hold', () => {
    assert.equal(maxFitting(POOL, [], small('alice', 'c1', 0)), 0);
    assert.equal(maxFitting(POOL, [], demand('alice', 'c1', 8, GIB, 3)), 0);
  });

  it('respects a per-user machine cap: 5 machines is at most 10 Small or 5 Medium', () => {
    assert.equal(maxFitting(POOL, [], small('alice', 'c1', 20), 5), 10);
    assert.equal(maxFitting(POOL, [], medium('alice', 'c1', 20), 5), 5);
    assert.equal(maxFitting(POOL, [], small('alice', 'c1', 7), 5), 7);
    assert.equal(maxFitting(POOL, [], small('alice', 'c1', 20), null), 20);
    assert.equal(maxFitting(POOL, [], small('alice', 'c1', 20), 0), 0);
  });

  it('leaves room other users already hold', () => {
    const others = [medium('bob', 'b1', 4, 1)];
    assert.equal(maxFitting(POOL, others, small('alice', 'a1', 20, 2)), 12);
    assert.equal(maxFitting(POOL, others, small('alice', 'a1', 20, 2), 5), 10);
    assert.equal(maxFitting(POOL, [medium('bob', 'b1', 10, 1)], small('alice', 'a1', 1, 2)), 0);
  });

  it("counts the user's other clusters, filling their half-empty machine first", () => {
    const others = [small('alice', 'a1', 3, 1)];
    assert.equal(maxFitting(POOL, others, small('alice', 'a2', 20, 2)), 17);
    assert.equal(maxFitting(POOL, others, small('alice', 'a2', 20, 2), 5), 7);
  });

  it('does not let an earlier cluster push out a later one that is already placed', () => {
    const others = [medium('bob', 'b1', 8, 2)];
    assert.equal(maxFitting(POOL, others, small('alice', 'a1', 10, 1)), 4);
  });

  it("keeps room for the cluster's own scheduler", () => {
    const others = [scheduler('alice', 'a1')];
    assert.equal(maxFitting(POOL, others, small('alice', 'a1', 20)), 19);
  });

  it('is not blocked by another demand that can never be placed', () => {
    const others = [demand('bob', 'b1', 8, GIB, 1, 1)];
    assert.equal(maxFitting(POOL, others, small('alice', 'a1', 20, 2)), 20);
  });

  it('takes no room from demands the pool is already short for', () => {
    const others = [medium('bob', 'b1', 12, 2)];
    assert.equal(maxFitting(POOL, others, small('alice', 'a1', 2, 1)), 0);
    assert.equal(maxFitting(POOL, others, small('alice', 'a1', 2, 3)), 0);
  });

  it('lets a user above the cap fill machines they hold, but not open more', () => {
    const others = [small('alice', 'a1', 11, 1)];
    assert.equal(maxFitting(POOL, others, small('alice', 'a2', 5, 2), 5), 1);
  });

  it('handles a large pool where an older cluster would displace newer ones', () => {
    const types: MachineType[] = [{ name: 'worker', cores: 4, memory: 16 * GIB, count: 1000 }];
    const others = [medium('bob', 'b1', 990, 2)];
    assert.equal(maxFitting(types, others, small('alice', 'a1', 2000, 1)), 20);
    assert.equal(maxFitting(types, [], small('alice', 'a1', 100_000), 500), 1000);
  });

  it('uses every machine type in config order', () => {
    const types: MachineType[] = [
      { name: 'small', cores: 2, memory: 8 * GIB, count: 2 },
      { name: 'big', cores: 4, memory: 16 * GIB, count: 10 },
    ];
    assert.equal(maxFitting(types, [], small('alice', 'a1', 30)), 22);
    assert.equal(maxFitting(types, [], medium('alice', 'a1', 30)), 10);
    assert.equal(maxFitting(types, [], small('alice', 'a1', 30), 3), 4);
  });
});

describe('maxFitting against a brute-force reference', () => {
  /** A small deterministic PRNG (mulberry32), so failures reproduce. */
  function prng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** The definition: the largest k <= wanted for which everything fits within the cap. */
  function reference(
    types: readonly MachineType[],
    others: readonly Demand[],
    candidate: Demand,
    cap: number | null
  ): number {
    for (let k = candidate.count; k > 0; k -= 1) {
      const r = pack(types, [...others, { ...candidate, count: k }]);
      const mine = r.machinesByUser.get(candidate.user) ?? 0;
      if (r.fits && (cap === null || mine <= cap)) return k;
    }
    return 0;
  }

  it('agrees whenever the others fit on their own and are within the cap', () => {
    const next = prng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const sizes = [
      [2, 8 * GIB],
      [4, 16 * GIB],
      [1, 2 * GIB],
      [0.5, 4 * GIB],
      [3, 4 * GIB],
      [1, 12 * GIB],
    ] as const;
    const typeSets: MachineType[][] = [
      [...POOL],
      [
        { name: 's', cores: 2, memory: 8 * GIB, count: 3 },
        { name: 'b', cores: 4, memory: 16 * GIB, count: 4 },
      ],
      [
        { name: 'b', cores: 4, memory: 16 * GIB, count: 3 },
        { name: 'm', cores: 3, memory: 12 * GIB, count: 3 },
        { name: 's', cores: 1, memory: 4 * GIB, count: 4 },
      ],
    ];
    const users = ['alice', 'bob', 'carol'];
    let compared = 0;
    for (let round = 0; round < 400; round += 1) {
      const types = pick(typeSets);
      const others = Array.from({ length: Math.floor(next() * 5) }, (_, i) => {
        const [cores, memory] = pick(sizes);
        return demand(pick(users), `o${i}`, cores, memory, 1 + Math.floor(next() * 4), i);
      });
      const [cores, memory] = pick(sizes);
      const order = Math.floor(next() * 5);
      const candidate = demand(pick(users), 'cand', cores, memory, Math.floor(next() * 25), order);
      const cap = next() < 0.5 ? null : Math.floor(next() * 6);
      const alone = pack(types, others);
      const held = alone.machinesByUser.get(candidate.user) ?? 0;
      if (!alone.fits || (cap !== null && held > cap)) continue;
      compared += 1;
      assert.equal(
        maxFitting(types, others, candidate, cap),
        reference(types, others, candidate, cap),
        JSON.stringify({ types, others, candidate, cap })
      );
    }
    assert.ok(compared > 200, `only ${compared} cases compared`);
  });
});
