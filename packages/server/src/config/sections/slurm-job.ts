/**
 * The Slurm job settings a profile may override (`profiles[].slurm`); the Slurm backend's own
 * section is in backends/slurm/slurm-config.ts.
 * @module
 */
import { Type, type Static } from 'typebox';

/** Slurm job settings that a profile may override (`profiles[].slurm`). */
export const SlurmJobConfig = Type.Object(
  {
    partition: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    account: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    qos: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    time_limit: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
        description: "sbatch --time, e.g. '8:00:00'; null means the partition's default.",
      })
    ),
    extra_directives: Type.Optional(
      Type.Array(Type.String({ pattern: '^--' }), {
        description: "More sbatch options, each one '--name=value' (e.g. '--constraint=amd').",
      })
    ),
  },
  { additionalProperties: false }
);

/** Slurm job settings of a profile. */
export type SlurmJobConfig = Static<typeof SlurmJobConfig>;
