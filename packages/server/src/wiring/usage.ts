/**
 * Usage accounting: every scheduler and worker start and stop is written to the access store
 * (the admin usage report reads it).
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ProcessAccounting } from '../clusters/manager.js';
import type { ClusterRecord, WorkerRecord } from '../clusters/model.js';
import type { AccessStore } from '../store/access-store.js';

/** The usage row id of a cluster's scheduler or one of its workers. */
function usageId(c: ClusterRecord, w: WorkerRecord | null): string {
  return `${c.name}/${w === null ? 'scheduler' : w.name}`;
}

/** Accounting that writes usage rows, logging (not throwing) a failed write. */
export function createUsageAccounting(
  accessStore: AccessStore,
  clock: Clock,
  log: Logger
): ProcessAccounting {
  const failed = (err: unknown) => {
    log.error({ err }, 'usage write failed');
  };
  return {
    started(c, w) {
      const worker = w !== null;
      accessStore
        .startUsage({
          id: usageId(c, w),
          username: c.username,
          cluster_name: c.name,
          kind: worker ? 'worker' : 'scheduler',
          cores: worker ? c.config.worker_cores : c.config.scheduler_cores,
          memory: worker ? c.config.worker_memory : c.config.scheduler_memory,
          start_time: clock.now(),
        })
        .catch(failed);
    },
    stopped(c, w) {
      accessStore.stopUsage(usageId(c, w), clock.now()).catch(failed);
    },
  };
}
