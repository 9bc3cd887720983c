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
 */
export async function waitForTurn<T>(work: () => Promise<T>, waitMs: number): Promise<T> {
  const started = Date.now();
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      return await work();
    } catch (error) {
      // A message being folded into an earlier one's reply is nacked at once: its redelivery only
      // records it, and holding it would keep a push slot (Pub/Sub's push window is small) from
      // the rest of its burst.
      if (!(error instanceof MessageInProgressError) || error.awaits === 'fold' || Date.now() - started + delay > waitMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
