import type { DeadLetter } from '../model/dead-letter.js';
import type { PublishError } from '../model/errors.js';
import type { Clock } from '../ports/clock.js';
import type { DeadLetterStore } from '../ports/dead-letter-store.js';
import type { MessageBus } from '../ports/message-bus.js';

export interface ReplayRequest {
  id: string;
  /** Publish again even though the letter was replayed before. */
  force?: boolean;
}

export type ReplayOutcome =
  | { kind: 'replayed'; letter: DeadLetter }
  | { kind: 'already-replayed'; letter: DeadLetter }
  | { kind: 'not-found'; id: string };

/** Rejections of `execute`: the bus refused the message (retryable; nothing was marked). */
export type ReplayDeadLetterError = PublishError;

/** The attribute a replayed message carries: the id of the dead letter it came from. */
export const REPLAY_OF_ATTRIBUTE = 'replayOf';

/**
 * Publishes a dead letter's event again on its original topic with its ordering key, then marks
 * it replayed. A letter replayed before is not published again unless forced; even a forced or
 * concurrent replay is answered at most once, because the worker claims each message id once.
 */
export class ReplayDeadLetter {
  constructor(
    private readonly store: DeadLetterStore,
    private readonly bus: MessageBus,
    private readonly clock: Clock,
  ) {}

  async execute({ id, force = false }: ReplayRequest): Promise<ReplayOutcome> {
    const letter = await this.store.get(id);
    if (!letter) return { kind: 'not-found', id };
    if (letter.replayedAt !== null && !force) return { kind: 'already-replayed', letter };
    // Publish first: a replay whose mark is lost is published again on the next try, and
    // publishing twice is harmless where never publishing would not be.
    await this.publish(letter);
    const marked = await this.store.markReplayed(letter.id, letter.replays, this.clock.now());
    if (marked) return { kind: 'replayed', letter: marked };
    return { kind: 'already-replayed', letter: (await this.store.get(id)) ?? letter };
  }

  private publish(letter: DeadLetter): Promise<void> {
    const message = {
      ...(letter.orderingKey ? { orderingKey: letter.orderingKey } : {}),
      attributes: { ...letter.attributes, [REPLAY_OF_ATTRIBUTE]: letter.id },
    };
    return letter.topic === 'inbound'
      ? this.bus.publish('inbound', [{ event: letter.event, ...message }])
      : this.bus.publish('interactions', [{ event: letter.event, ...message }]);
  }
}
