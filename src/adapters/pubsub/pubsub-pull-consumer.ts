import { Duration, SubscriptionCloseBehaviors, type Message, type PubSub, type Subscription } from '@google-cloud/pubsub';
import type { z } from 'zod';
import { DomainError, isRetryable } from '../../domain/model/errors.js';
import type { Logger } from '../../observability/logger.js';
import { runWithTrace, traceFrom } from '../../observability/trace-context.js';
import type { Delivery, DeliveryHandler } from '../memory/in-memory-message-bus.js';

export interface PullConsumerOptions {
  /**
   * Messages held at once (flow control). Default 100: with ordering keys, a key's later messages
   * wait here behind its first, so holding only as many as run would leave slots to one busy key.
   */
  maxMessages?: number;
  /** Handlers running at once, whatever is held. Default 10. */
  maxConcurrent?: number;
  /** How long the client keeps extending a message's lease while its handler runs. Default 10. */
  maxExtensionMinutes?: number;
  /** How long `close()` waits for running handlers. Default 8 (under Cloud Run's 10 s SIGTERM window). */
  closeTimeoutSeconds?: number;
  /** First wait before reopening a subscription that failed with a non-retryable error. Default 1000. */
  reopenDelayMs?: number;
  /**
   * A retryable failure is retried here, waiting `retryDelayMs` doubling up to `maxRetryDelayMs`,
   * for up to `retryWindowMs` before the message is nacked. Defaults 1000, 15000 and 0 (every
   * failure is nacked at once: Pub/Sub's retry policy paces the redeliveries).
   */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  retryWindowMs?: number;
}

/** The messages of one ordering key waiting here, run one at a time. */
interface Lane {
  tail: Promise<void>;
  queued: number;
  /** Bumped when a message fails: the ones queued behind it are handed back, not run out of order. */
  epoch: number;
}

/**
 * Streaming pull of one subscription into a `DeliveryHandler`: decode, handle inside the
 * publisher's trace, ack on success, nack on rejection. The client may hand over several messages
 * of one ordering key at once, so each key runs one message at a time here; when one fails, those
 * already queued behind it are nacked too, and Pub/Sub redelivers the key in order.
 */
export class PubSubPullConsumer<T> {
  private subscription?: Subscription;
  private readonly lanes = new Map<string, Lane>();
  private readonly running = new Set<Promise<void>>();
  /** Handlers running now, and the held messages waiting for one of the `maxConcurrent` slots. */
  private active = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private closing = false;
  private reopenTimer?: NodeJS.Timeout;
  private failuresInARow = 0;
  private readonly options: Required<PullConsumerOptions>;
  private readonly pauses = new Set<() => void>();

  constructor(
    private readonly pubsub: PubSub,
    private readonly subscriptionName: string,
    private readonly schema: z.ZodType<T>,
    private readonly handler: DeliveryHandler<T>,
    private readonly logger: Logger,
    options: PullConsumerOptions = {},
  ) {
    this.options = {
      maxMessages: 100,
      maxConcurrent: 10,
      maxExtensionMinutes: 10,
      closeTimeoutSeconds: 8,
      reopenDelayMs: 1_000,
      retryDelayMs: 1_000,
      maxRetryDelayMs: 15_000,
      retryWindowMs: 0,
      ...options,
    };
  }

  start(): void {
    if (this.subscription) throw new Error(`consumer of ${this.subscriptionName} is already started`);
    const subscription = this.pubsub.subscription(this.subscriptionName, {
      flowControl: { maxMessages: this.options.maxMessages, allowExcessMessages: false },
      maxExtensionTime: Duration.from({ minutes: this.options.maxExtensionMinutes }),
      closeOptions: { behavior: SubscriptionCloseBehaviors.WaitForProcessing, timeout: Duration.from({ seconds: this.options.closeTimeoutSeconds }) },
    });
    subscription.on('message', (message: Message) => this.receive(message));
    subscription.on('error', (error) => this.logger.error('pubsub pull stream failed', { subscription: this.subscriptionName, ...codeFields(error) }));
    subscription.on('close', () => this.reopenLater());
    this.subscription = subscription;
    this.logger.info('pubsub pull consumer started', { subscription: this.subscriptionName, maxMessages: this.options.maxMessages, maxConcurrent: this.options.maxConcurrent });
  }

  /** Stops pulling, hands back what has not started, and waits (bounded) for running handlers. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.reopenTimer);
    for (const resume of this.pauses) resume();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, this.options.closeTimeoutSeconds * 1_000).unref());
    await Promise.race([Promise.allSettled([this.subscription?.close(), ...this.running]), deadline]);
    this.logger.info('pubsub pull consumer closed', { subscription: this.subscriptionName, unfinished: this.running.size });
  }

  private receive(message: Message): void {
    this.failuresInARow = 0;
    if (this.closing) return message.nack();
    const key = message.orderingKey;
    if (!key) return this.track(this.processWhenFree(message).then(() => undefined, (error: unknown) => this.failed(message, error)));

    const lane = this.lanes.get(key) ?? { tail: Promise.resolve(), queued: 0, epoch: 0 };
    this.lanes.set(key, lane);
    const epoch = lane.epoch;
    lane.queued += 1;
    lane.tail = lane.tail
      .then(async () => {
        if (epoch !== lane.epoch || this.closing) return message.nack();
        if (!(await this.processWhenFree(message))) lane.epoch += 1;
      })
      .catch((error: unknown) => {
        // Never leave the lane broken: a rejected tail would strand every later message of the key.
        lane.epoch += 1;
        this.failed(message, error);
      });
    this.track(lane.tail.finally(() => {
      lane.queued -= 1;
      if (lane.queued === 0 && this.lanes.get(key) === lane) this.lanes.delete(key);
    }));
  }

  /** `process` once a handler slot is free (at most `maxConcurrent` run); a message that waited past `close()` is nacked. */
  private async processWhenFree(message: Message): Promise<boolean> {
    await this.freeSlot();
    try {
      if (this.closing) {
        message.nack();
        return false;
      }
      return await this.process(message);
    } finally {
      this.active -= 1;
      this.slotWaiters.shift()?.();
    }
  }

  private freeSlot(): Promise<void> {
    if (this.active < this.options.maxConcurrent) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.slotWaiters.push(() => {
        this.active += 1;
        resolve();
      }),
    );
  }

  /** Handles one message; true when it was acked. */
  private async process(message: Message): Promise<boolean> {
    const ids = { subscription: this.subscriptionName, messageId: message.id, ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}) };
    const event = this.decode(message.data);
    if (!event.success) {
      // Poison: no redelivery can make these bytes decodable.
      this.logger.error('pubsub message cannot be decoded; acknowledged as failed', { ...ids, issues: event.error.issues.length });
      message.ack();
      return true;
    }
    const delivery: Delivery<T> = {
      messageId: message.id,
      event: event.data,
      attributes: { ...message.attributes },
      ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
      // Pub/Sub counts attempts only on subscriptions with a dead-letter policy (ours have one).
      deliveryAttempt: message.deliveryAttempt > 0 ? message.deliveryAttempt : 1,
    };
    // Transient failures are retried here, paced, while the client extends the lease: Pub/Sub's
    // own pacing of nacks (the retry policy) is not everywhere (the emulator redelivers at once),
    // and every nack spends a delivery attempt towards the dead-letter topic, also for the
    // messages of the same ordering key queued behind this one.
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await runWithTrace(traceFrom((name) => message.attributes[name]), () => this.handler(delivery));
        message.ack();
        return true;
      } catch (error) {
        const delayMs = Math.min(this.options.retryDelayMs * 2 ** (attempt - 1), this.options.maxRetryDelayMs);
        if (!isRetryable(error) || this.closing || Date.now() - started + delayMs > this.options.retryWindowMs) {
          this.logger.warn('pubsub message nacked for redelivery', { ...ids, deliveryAttempt: delivery.deliveryAttempt, attempts: attempt, ...codeFields(error) });
          message.nack();
          return false;
        }
        this.logger.warn('pubsub message handling failed; retrying', { ...ids, attempt, delayMs, ...codeFields(error) });
        await this.pause(delayMs);
        if (this.closing) {
          message.nack();
          return false;
        }
      }
    }
  }

  /** Waits `ms`, or less when the consumer closes. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const resume = () => {
        clearTimeout(timer);
        this.pauses.delete(resume);
        resolve();
      };
      const timer = setTimeout(resume, ms);
      this.pauses.add(resume);
    });
  }

  private failed(message: Message, error: unknown): void {
    this.logger.error('pubsub message handling failed unexpectedly; nacked', { subscription: this.subscriptionName, messageId: message.id, ...codeFields(error) });
    message.nack();
  }

  private decode(data: Buffer): ReturnType<z.ZodType<T>['safeParse']> {
    let json: unknown;
    try {
      json = JSON.parse(data.toString('utf8'));
    } catch {
      json = undefined;
    }
    return this.schema.safeParse(json);
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  /** The client closes the subscription after a non-retryable stream error; a worker must not go quiet. */
  private reopenLater(): void {
    if (this.closing) return;
    const delay = Math.min(this.options.reopenDelayMs * 2 ** this.failuresInARow, 60_000);
    this.failuresInARow += 1;
    this.logger.warn('pubsub pull stream closed; reopening', { subscription: this.subscriptionName, delayMs: delay });
    this.reopenTimer = setTimeout(() => {
      if (!this.closing) this.subscription?.open();
    }, delay);
  }
}

/** Error identity without its text: names and codes only (messages may quote user content). */
function codeFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { errorName: typeof error };
  const code = error instanceof DomainError ? error.code : (error as { code?: unknown }).code;
  return { errorName: error.name, ...(code !== undefined ? { errorCode: code } : {}), ...(error instanceof DomainError ? { retryable: error.retryable, reason: error.reason } : {}) };
}
