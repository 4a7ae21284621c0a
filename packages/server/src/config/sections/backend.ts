/**
 * The `backend` section: the local and Slurm backends, and the reconciler timings they share.
 * @module
 */
import { Type, type Static } from 'typebox';
import { Seconds, NullableSeconds } from './primitives.js';

/** Timing, retention and concurrency of the cluster reconciler (upstream DBBackendBase). */
const Lifecycle = {
  heartbeat_period: Type.Number({
    exclusiveMinimum: 0,
    default: 15,
    description: 'Seconds between scheduler heartbeats (passed to the preload).',
  }),
  heartbeat_timeout: NullableSeconds(
    'A RUNNING cluster without a heartbeat for this long fails; null means 2 x heartbeat_period.'
  ),
  cluster_start_timeout: Seconds(60, 'Seconds a scheduler may take to report its addresses.'),
  worker_start_timeout: Seconds(60, 'Seconds a worker may take to connect to its scheduler.'),
  check_timeouts_period: NullableSeconds(
    'Period of the timeout sweep; null means min(20, smallest timeout / 2).'
  ),
  cluster_status_period: Seconds(
    30,
    'Period of the scheduler liveness check and of the resync that re-reconciles every unfinished cluster.'
  ),
  worker_status_period: Seconds(30, 'Period of the pending-worker liveness check.'),
  worker_start_failure_limit: Type.Integer({
    minimum: 1,
    default: 3,
    description: 'Consecutive worker start failures after which the cluster fails.',
  }),
  scheduler_api_retries: Type.Integer({
    minimum: 1,
    default: 3,
    description: 'Attempts to deliver a scale or adapt command to a scheduler.',
  }),
  parallelism: Type.Integer({
    minimum: 1,
    default: 20,
    description: 'Clusters and workers reconciled concurrently.',
  }),
  orphan_scan_period: Seconds(
    60,
    'Period of the scan for scheduler and worker processes of this gateway that no record claims (they are killed); 0 scans only at start-up.'
  ),
  db_cleanup_period: Seconds(600, 'Period of the finished-cluster cleanup.'),
  cluster_max_age: Seconds(86400, 'Seconds finished clusters stay listable before deletion.'),
};

/** Keys shared by backends that start processes from a Python environment. */
const ProcessKeys = {
  python_env: Type.Union([Type.String(), Type.Null()], {
    default: null,
    description:
      'Prefix of the Python environment (venv or conda env) whose dask-scheduler and dask-worker run; null means the project environment set up by `npm start`.',
  }),
  clusters_directory: Type.Union([Type.String(), Type.Null()], {
    default: null,
    description:
      'Parent of per-cluster working directories; null means <data_dir>/clusters, or with isolated clusters /var/lib/gatehouse/clusters/<hash of data_dir> (cluster uids must be able to traverse every parent, which temporary and home directories often forbid).',
  }),
  logs_directory: Type.Union([Type.String(), Type.Null()], {
    default: null,
    description: 'Where scheduler and worker output is kept; null means <data_dir>/logs.',
  }),
  inherited_environment: Type.Array(Type.String(), {
    default: [
      'PATH',
      'PYTHONPATH',
      'CONDA_ROOT',
      'CONDA_DEFAULT_ENV',
      'VIRTUAL_ENV',
      'LANG',
      'LC_ALL',
    ],
    description: 'Gateway environment variables passed on to schedulers and workers.',
  }),
  sigint_timeout: Seconds(10, 'Seconds to wait after SIGINT before SIGTERM.'),
  sigterm_timeout: Seconds(5, 'Seconds to wait after SIGTERM before SIGKILL.'),
  sigkill_timeout: Seconds(5, 'Seconds to wait after SIGKILL before giving up.'),
};

/** How the local backend separates clusters from each other and from the gateway. */
const IsolationKeys = {
  isolation: Type.Union([Type.Literal('auto'), Type.Literal('uid'), Type.Literal('none')], {
    default: 'auto',
    description:
      "'uid': every cluster runs under its own uid and gid from isolation_uids and binds to its own loopback address (the gateway must run as root); 'none': clusters run as the gateway's user, not isolated; 'auto': 'uid' when the gateway runs as root, else 'none'. See docs/security.md.",
  }),
  isolation_uids: Type.Object(
    {
      first: Type.Integer({ minimum: 1000, default: 900000, description: 'First uid (and gid).' }),
      count: Type.Integer({
        minimum: 1,
        maximum: 65000,
        default: 50000,
        description: 'Number of ids, the most clusters that can run at once.',
      }),
    },
    {
      additionalProperties: false,
      default: {},
      description:
        'Range of uids and gids given to isolated clusters; no account or group may use one (checked against /etc/passwd and /etc/group at start).',
    }
  ),
};

/** The firewall between clusters on one machine. */
const NetworkKeys = {
  network_isolation: Type.Union(
    [Type.Literal('auto'), Type.Literal('nftables'), Type.Literal('none')],
    {
      default: 'auto',
      description:
        "Firewall between clusters on this machine (docs/security.md, Network): 'nftables' lets only root and a cluster's own uid reach its loopback address, and that uid only its address, the gateway API and DNS (needs root and nft; the gateway refuses to start without them); 'auto' uses nftables when it can and warns otherwise; 'none' leaves every cluster port open to every local user.",
    }
  ),
};

/** Settings of the local process backend (spec §5). */
export const LocalBackendConfig = Type.Object(
  { type: Type.Literal('local'), ...ProcessKeys, ...IsolationKeys, ...NetworkKeys, ...Lifecycle },
  { additionalProperties: false }
);

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

/** Settings of the Slurm backend (schedulers and workers as `sbatch` jobs). */
export const SlurmBackendConfig = Type.Object(
  {
    type: Type.Literal('slurm'),
    ...ProcessKeys,
    partition: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description:
        "Partition jobs go to (and whose nodes make the pool, read with sinfo); null means Slurm's default partition.",
    }),
    account: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
    qos: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
    time_limit: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description: "sbatch --time of every job, e.g. '8:00:00'; null means the partition's.",
    }),
    extra_directives: Type.Array(Type.String({ pattern: '^--' }), {
      default: [],
      description: "More sbatch options for every job, each one '--name=value'.",
    }),
    scheduler_placement: Type.Union([Type.Literal('slurm'), Type.Literal('local')], {
      default: 'slurm',
      description:
        "'slurm': the scheduler is a Slurm job too; 'local': the scheduler runs as a process on the gateway host and only workers go to Slurm.",
    }),
    staging_directory: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description:
        'Parent of per-cluster staging directories (TLS material, token) on a filesystem every node mounts; null means <data_dir>/staging.',
    }),
    node_host: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description:
        "Address schedulers and workers listen on inside their jobs; null means the node's hostname.",
    }),
    submit_as_user: Type.Boolean({
      default: false,
      description:
        "Submit each cluster's jobs as the requesting Unix user (runuser, no sudo); needs the gateway to run as root, else jobs run as the gateway's account.",
    }),
    queue_timeout: Seconds(
      600,
      'Seconds a job may wait in the Slurm queue (PENDING) before the gateway gives up on it.'
    ),
    poll_period: Type.Number({
      exclusiveMinimum: 0,
      default: 2,
      description: 'Seconds between job status polls (one squeue call for every job).',
    }),
    ...Lifecycle,
  },
  { additionalProperties: false }
);

/** The `backend` section: one backend, local by default. */
export const BackendSection = Type.Union([LocalBackendConfig, SlurmBackendConfig], {
  default: { type: 'local' },
});

/** Settings of the local backend. */
export type LocalBackendConfig = Static<typeof LocalBackendConfig>;
/** Settings of the Slurm backend. */
export type SlurmBackendConfig = Static<typeof SlurmBackendConfig>;
/** Slurm job settings of a profile. */
export type SlurmJobConfig = Static<typeof SlurmJobConfig>;
