import type { ApplyRetention } from '../domain/use-cases/apply-retention.js';
import { errorFields, type Logger } from '../observability/logger.js';

/** How often a long-lived api instance sweeps again after the sweep at its start. */
export const RETENTION_SWEEP_INTERVAL_MS = 6 * 3600_000;

export interface RetentionSweep {
  start(): void;
  /** Stops between batches and waits for the batch in flight. */
  stop(): Promise<void>;
}

/**
 * The api role's own retention job: a sweep when the instance starts, then every interval.
 * Instances sweeping at once only delete the same rows once; a failed sweep is logged and the
 * next one catches up (what is older than the cutoff stays old).
 */
export function retentionSweep(applyRetention: ApplyRetention, logger: Logger, intervalMs = RETENTION_SWEEP_INTERVAL_MS): RetentionSweep {
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sweep = () => {
    if (running || stopped) return;
    const started = Date.now();
    running = applyRetention
      .execute(() => !stopped)
      .then(
        (result) => {
          logger.info('retention sweep finished', { ...result, ms: Date.now() - started });
        },
        (error: unknown) => {
          logger.warn('retention sweep failed; the next one catches up', errorFields(error));
        },
      )
      .finally(() => {
        running = undefined;
      });
  };
  return {
    start() {
      sweep();
      timer = setInterval(sweep, intervalMs).unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
