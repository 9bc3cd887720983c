import type { DeliveryStatus } from './delivery-status.js';
import type { InboundMessage } from './message.js';

/** What the listener publishes to the inbound topic, ordered by conversation id. */
export type InboundEvent = { kind: 'message'; message: InboundMessage } | { kind: 'status'; status: DeliveryStatus };

export const orderingKeyOf = (event: InboundEvent): string =>
  event.kind === 'message' ? event.message.conversationId : event.status.conversationId;
