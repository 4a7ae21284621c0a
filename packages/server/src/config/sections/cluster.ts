/**
 * The `cluster` section: defaults of every cluster's configuration (spec §8.2).
 * @module
 */
import { Type } from 'typebox';
import { Memory, Cmd } from './primitives.js';

/** Defaults of every cluster's configuration (upstream ClusterConfig, spec §8.2). */
export const ClusterDefaults = Type.Object(
  {
    scheduler_cmd: Type.Optional(Cmd),
    worker_cmd: Type.Optional(Cmd),
    environment: Type.Optional(Type.Record(Type.String(), Type.String())),
    worker_memory: Type.Optional(Memory),
    worker_cores: Type.Optional(Type.Integer({ minimum: 1 })),
    worker_threads: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    scheduler_memory: Type.Optional(Memory),
    scheduler_cores: Type.Optional(Type.Integer({ minimum: 1 })),
    adaptive_period: Type.Optional(Type.Number({ minimum: 0 })),
    idle_timeout: Type.Optional(Type.Number({ minimum: 0 })),
    cluster_max_memory: Type.Optional(Type.Union([Memory, Type.Null()])),
    cluster_max_cores: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
    cluster_max_workers: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    max_lifetime: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], {
        description: 'Seconds after which a cluster is stopped (reason "lifetime"); null = never.',
      })
    ),
    no_client_timeout: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], {
        description:
          'Seconds a running cluster may have no client connected before it is stopped (reason "no client"); null = never.',
      })
    ),
  },
  { additionalProperties: false, default: {} }
);
