import { z } from 'zod';
import { conversationOf, type DeadLetterPayload, type NewDeadLetter } from '../../domain/model/dead-letter.js';
import { inboundEventSchema, interactionEventSchema } from './event-schemas.js';

/** Either topic's event, told apart by its shape (`kind` on inbound events, `type` on interactions). */
export const deadLetterPayloadSchema: z.ZodType<DeadLetterPayload> = z.union([
  inboundEventSchema.transform((event) => ({ topic: 'inbound' as const, event })),
  interactionEventSchema.transform((event) => ({ topic: 'interactions' as const, event })),
]);

// Pub/Sub adds these when it forwards a message to the dead-letter topic; they are not the message's own.
const BOOKKEEPING_PREFIX = 'CloudPubSubDeadLetter';
const DELIVERY_COUNT = 'CloudPubSubDeadLetterSourceDeliveryCount';

export interface ArrivedDeadLetter {
  messageId: string;
  attributes: Record<string, string>;
  orderingKey?: string | undefined;
  /** What the bus counted, when it says so other than in the attributes (the in-process bus). */
  deliveryAttempts?: number | undefined;
}

/** The dead letter to store for a decoded payload; the ordering key defaults to the conversation (how it was published). */
export function deadLetterOf(payload: DeadLetterPayload, arrived: ArrivedDeadLetter, now: number): NewDeadLetter {
  const conversationId = conversationOf(payload);
  const attributes = Object.fromEntries(Object.entries(arrived.attributes).filter(([name]) => !name.startsWith(BOOKKEEPING_PREFIX)));
  const counted = Number.parseInt(arrived.attributes[DELIVERY_COUNT] ?? '', 10);
  const deliveryAttempts = Number.isSafeInteger(counted) && counted > 0 ? counted : arrived.deliveryAttempts;
  return {
    ...payload,
    messageId: arrived.messageId,
    orderingKey: arrived.orderingKey || conversationId,
    conversationId,
    attributes,
    ...(deliveryAttempts !== undefined ? { deliveryAttempts } : {}),
    deadLetteredAt: now,
  };
}

/** A message the in-process bus dead-lettered, when its event is one of ours (it always is: we published it). */
export function deadLetterFromBus(topic: DeadLetterPayload['topic'], event: unknown, arrived: ArrivedDeadLetter, now: number): NewDeadLetter | undefined {
  const decoded = deadLetterPayloadSchema.safeParse(event);
  if (!decoded.success || decoded.data.topic !== topic) return undefined;
  return deadLetterOf(decoded.data, arrived, now);
}
