import { PubSub, type ClientConfig, type PublishOptions, type Topic } from '@google-cloud/pubsub';
import { PublishError } from '../../domain/model/errors.js';
import type { BusMessage, MessageBus, TopicName, Topics } from '../../domain/ports/message-bus.js';
import { traceAttributes } from '../../observability/trace-context.js';

export type PubSubTopicNames = Record<TopicName, string>;

// Ordering keys are conversations; batches stay small and short so the listener answers Meta fast.
export const PUBLISH_OPTIONS: PublishOptions = { messageOrdering: true, batching: { maxMessages: 100, maxMilliseconds: 5 } };

/**
 * A Pub/Sub client for `projectId`. The SDK itself switches to PUBSUB_EMULATOR_HOST when that is
 * set; `options.apiEndpoint` does the same explicitly (tests), without touching the environment.
 */
export function createPubSub(projectId: string, options: ClientConfig = {}): PubSub {
  return new PubSub({ projectId, ...options });
}

/** The `MessageBus` on Google Cloud Pub/Sub: ordered topics, JSON payloads, trace context in attributes. */
export class PubSubMessageBus implements MessageBus {
  private readonly topics: Record<TopicName, Topic>;

  constructor(
    private readonly pubsub: PubSub,
    topicNames: PubSubTopicNames,
  ) {
    this.topics = {
      inbound: pubsub.topic(topicNames.inbound, PUBLISH_OPTIONS),
      interactions: pubsub.topic(topicNames.interactions, PUBLISH_OPTIONS),
    };
  }

  async publish<K extends TopicName>(topic: K, messages: BusMessage<Topics[K]>[]): Promise<void> {
    const target = this.topics[topic];
    // Serialised now: the caller may mutate its objects once this returns.
    const outgoing = messages.map((message) => ({
      data: Buffer.from(JSON.stringify(message.event)),
      attributes: { kind: kindOf(message.event), ...traceAttributes(), ...message.attributes },
      ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
    }));
    const sends = outgoing.map(async (message) => target.publishMessage(message));
    const results = await Promise.allSettled(sends);
    const failures = results.flatMap((result, i) => (result.status === 'rejected' ? [{ error: result.reason as unknown, key: outgoing[i]!.orderingKey }] : []));
    if (failures.length === 0) return;

    // A failed ordered publish pauses its key in the client; the caller's retry must be able to go through.
    for (const key of new Set(failures.map((failure) => failure.key))) if (key) target.resumePublishing(key);
    const cause = failures[0]!.error;
    throw new PublishError(`publish to ${target.name} failed for ${failures.length} of ${messages.length} messages${codeOf(cause)}`, { cause });
  }

  /** Sends what is batched on both topics, then closes the client. */
  async close(): Promise<void> {
    await Promise.all(Object.values(this.topics).map((topic) => topic.flush()));
    await this.pubsub.close();
  }
}

function kindOf(event: Topics[TopicName]): string {
  return 'kind' in event ? event.kind : event.type;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? ` (gRPC code ${code})` : '';
}
