import { MessageInProgressError } from '../domain/model/errors.js';

const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 2_000;

/**
 * Runs `work` again, paced (200 ms doubling to 2 s), while it answers that the message's turn has
 * not come yet (another delivery holds its lease, or an earlier message of its conversation is
 * still being answered), for up to `waitMs`; then lets that error through, so the push is nacked.
 *
 * On the unordered subscription of a coalescing worker a message may arrive while an earlier one of
 * its conversation is answered: it waits here for its turn instead of spending a delivery attempt
 * (and Pub/Sub's 10 s backoff) on every nack.
 *
 * `draining` aborts when the process stops taking work (SIGTERM): a waiting message is nacked at
 * once, so the push requests in flight end well inside the 8 s drain window.
 */
export async function waitForTurn<T>(work: () => Promise<T>, waitMs: number, draining?: AbortSignal): Promise<T> {
  const started = Date.now();
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      return await work();
    } catch (error) {
      // A message being folded into an earlier one's reply is nacked at once: its redelivery only
      // records it, and holding it would keep a push slot (Pub/Sub's push window is small) from
      // the rest of its burst.
      if (!(error instanceof MessageInProgressError) || error.awaits === 'fold' || Date.now() - started + delay > waitMs) throw error;
      if (draining?.aborted || !(await pause(delay, draining))) throw error;
    }
  }
}

/** Sleeps `ms`; false when `draining` aborted first. */
function pause(ms: number, draining: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      draining?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    draining?.addEventListener('abort', onAbort, { once: true });
  });
}
