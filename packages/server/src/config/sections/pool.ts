/**
 * The `pool` section: the shared pool of worker machines.
 * @module
 */
import { Type, type Static } from 'typebox';
import { Memory } from './primitives.js';

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
  },
  { additionalProperties: false, default: {} }
);

/** Pool settings as written in the file. */
export type PoolConfig = Static<typeof PoolConfig>;
