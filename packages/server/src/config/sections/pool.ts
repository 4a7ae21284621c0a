/**
 * The `pool` section: the shared pool of worker machines.
 * @module
 */
import { Type, type Static } from 'typebox';
import { Memory, Seconds } from './primitives.js';

/** One kind of machine in the shared worker pool. */
export const MachineTypeConfig = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    cores: Type.Number({ exclusiveMinimum: 0 }),
    memory: Memory,
    count: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false }
);

/** The shared pool of worker machines everyone's workers are packed onto. */
export const PoolConfig = Type.Object(
  {
    machine_types: Type.Array(MachineTypeConfig, {
      default: [{ name: 'standard', cores: 4, memory: '16 G', count: 10 }],
      description: 'Machines workers are packed onto (per user: a machine hosts one user).',
    }),
    schedulers_take_room: Type.Boolean({
      default: false,
      description: 'Whether schedulers are packed onto pool machines too.',
    }),
    user_machine_cap: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      default: null,
      description: 'Most machines one user may occupy at once; null = no cap beyond the pool.',
    }),
    when_full: Type.Union([Type.Literal('queue'), Type.Literal('clamp')], {
      default: 'queue',
      description:
        'What a scale gets when the pool is full: the workers that do not fit wait in the ' +
        "gateway's fair-share queue (queue), or the scale is cut to what fits (clamp).",
    }),
    fair_share_half_life: Seconds(
      7 * 24 * 3600,
      'Half-life of recorded usage in the fair-share order of the queue (seconds).'
    ),
  },
  { additionalProperties: false, default: {} }
);

/** The pool's machines as written in the file (what a backend may derive anew). */
export type PoolConfig = Omit<Static<typeof PoolConfig>, 'when_full' | 'fair_share_half_life'>;

/** The whole `pool` section: the machines and the queue's settings. */
export type PoolSection = Static<typeof PoolConfig>;
