/**
 * The `environments`, `profiles` and `environment_variables` sections: what users choose from.
 * @module
 */
import { Type, type Static } from 'typebox';
import { KubernetesProfileConfig } from './kubernetes-profile.js';
import { SlurmJobConfig } from './slurm-job.js';
import { Memory } from './primitives.js';

const Groups = Type.Array(Type.String(), {
  default: [],
  description: 'Groups that may see and choose this; empty means everyone.',
});

/** One Python environment users may pick (the `conda_environment` option). */
export const EnvironmentConfig = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'The choice users see.' }),
    prefix: Type.String({ minLength: 1, description: 'Environment prefix (venv or conda env).' }),
    image: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Kubernetes backend: the image whose pods run this environment (default: backend.image); the prefix is a path inside it.',
      })
    ),
    groups: Groups,
  },
  { additionalProperties: false }
);

/** Python environments offered as the `conda_environment` option ("Environment"). */
export const EnvironmentsConfig = Type.Object(
  {
    list: Type.Array(EnvironmentConfig, { default: [] }),
    discover: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description:
        'A directory whose subdirectories with bin/python are offered too (named after the subdirectory).',
    }),
    default: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: 'Name of the default environment; null means the first one a user may see.',
    }),
  },
  { additionalProperties: false, default: {} }
);

/** One worker size users may pick (the `profile` option, "Cluster Profile"). */
export const ProfileConfig = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    worker_cores: Type.Integer({ minimum: 1 }),
    worker_threads: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    worker_memory: Memory,
    scheduler_cores: Type.Optional(Type.Integer({ minimum: 1 })),
    scheduler_memory: Type.Optional(Memory),
    idle_timeout: Type.Optional(Type.Number({ minimum: 0 })),
    max_lifetime: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()])),
    slurm: Type.Optional(SlurmJobConfig),
    kubernetes: Type.Optional(KubernetesProfileConfig),
    default: Type.Boolean({ default: false, description: 'Marks the default profile.' }),
    groups: Groups,
  },
  { additionalProperties: false }
);

/** Rules for the `environment_vars` option ("Environment Variables"). */
export const EnvironmentVariablesConfig = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'Offer the environment_vars option (a mapping of names to strings).',
    }),
    max_count: Type.Integer({ minimum: 0, default: 64 }),
    max_value_length: Type.Integer({ minimum: 0, default: 4096 }),
    reserved: Type.Array(Type.String(), {
      default: [],
      description:
        'Names users may not set, besides those the gateway sets itself (DASK_GATEWAY_*, the TLS and comm settings).',
    }),
    admin: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Variables every cluster gets; they win over user values.',
    }),
  },
  { additionalProperties: false, default: {} }
);

/** Environment settings as written in the file. */
export type EnvironmentsConfig = Static<typeof EnvironmentsConfig>;
/** One profile as written in the file. */
export type ProfileConfig = Static<typeof ProfileConfig>;
/** Environment-variable rules as written in the file. */
export type EnvironmentVariablesConfig = Static<typeof EnvironmentVariablesConfig>;
