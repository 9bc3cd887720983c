import type { DeliveryStatus } from './delivery-status.js';
import type { InboundMessage } from './message.js';

/** What the listener publishes to the inbound topic, ordered by conversation id. */
export type InboundEvent =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'status'; status: DeliveryStatus }
  /** A reply a person wrote (human handoff), stored by the api role: the worker sends it once. */
  | { kind: 'agent-reply'; conversationId: string; replyId: string };

export const orderingKeyOf = (event: InboundEvent): string =>
  event.kind === 'message' ? event.message.conversationId : event.kind === 'status' ? event.status.conversationId : event.conversationId;
