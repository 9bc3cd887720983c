import { orderingKeyOf, type InboundEvent } from './events.js';
import type { InteractionEvent } from './interaction.js';

/** The topic a message was dead-lettered from, with the event it carried. */
export type DeadLetterPayload = { topic: 'inbound'; event: InboundEvent } | { topic: 'interactions'; event: InteractionEvent };
export type DeadLetterTopic = DeadLetterPayload['topic'];

/** A message the bus gave up on after its last delivery attempt, as it arrived at the dead-letter topic. */
export type NewDeadLetter = DeadLetterPayload & {
  /** The bus's id of the dead-lettered message: the same message stored twice is one dead letter. */
  messageId: string;
  orderingKey?: string;
  /** Whose conversation it belongs to: replays keep its order, erasure deletes it. */
  conversationId: string;
  /** The message's own attributes (trace context, kind), without the bus's dead-letter bookkeeping. */
  attributes: Record<string, string>;
  /** How many deliveries failed before it was dead-lettered, when the bus says. */
  deliveryAttempts?: number;
  deadLetteredAt: number;
};

export type DeadLetter = NewDeadLetter & {
  id: string;
  /** When it was last replayed; null while it never was. */
  replayedAt: number | null;
  replays: number;
};

export const conversationOf = (payload: DeadLetterPayload): string =>
  payload.topic === 'inbound' ? orderingKeyOf(payload.event) : payload.event.conversationId;
