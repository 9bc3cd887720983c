import { describe, expect, it } from 'vitest';
import { MessageInProgressError, PublishError } from '../../../src/domain/model/errors.js';
import { waitForTurn } from '../../../src/http/wait-for-turn.js';

/** Work that answers "not your turn" (`awaits`) for its first `times` runs, then `done`. */
function notYetFor(times: number, awaits: 'turn' | 'fold' = 'turn') {
  let runs = 0;
  return {
    get runs() {
      return runs;
    },
    work: async () => {
      runs += 1;
      if (runs <= times) throw new MessageInProgressError('wamid.1', awaits);
      return 'done';
    },
  };
}

describe('waitForTurn', () => {
  it('runs the work again, paced, until the message\'s turn comes', async () => {
    const work = notYetFor(2);
    const started = Date.now();

    await expect(waitForTurn(work.work, 5_000)).resolves.toBe('done');

    expect(work.runs).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });

  it('lets "not your turn" through as soon as the process starts draining, however long it could still wait', async () => {
    const work = notYetFor(100);
    const draining = new AbortController();
    setTimeout(() => draining.abort(), 300);

    // A SIGTERM gives the process 8 s to drain: a push waiting up to a whole lease would outlive it.
    await expect(waitForTurn(work.work, 600_000, draining.signal)).rejects.toMatchObject({ code: 'message_in_progress' });
    expect(work.runs).toBeLessThanOrEqual(3);
  });

  it('lets "not your turn" through once waitMs is spent, so the push is nacked', async () => {
    const work = notYetFor(100);

    await expect(waitForTurn(work.work, 500)).rejects.toMatchObject({ code: 'message_in_progress' });
    expect(work.runs).toBeLessThanOrEqual(3);
  });

  it('lets a message that is being folded into an earlier one\'s reply through at once', async () => {
    const work = notYetFor(1, 'fold');

    await expect(waitForTurn(work.work, 5_000)).rejects.toMatchObject({ code: 'message_in_progress', awaits: 'fold' });
    expect(work.runs).toBe(1);
  });

  it('never retries other failures here', async () => {
    let runs = 0;
    const failing = async () => {
      runs += 1;
      throw new PublishError('bus down');
    };

    await expect(waitForTurn(failing, 5_000)).rejects.toBeInstanceOf(PublishError);
    expect(runs).toBe(1);
  });
});
