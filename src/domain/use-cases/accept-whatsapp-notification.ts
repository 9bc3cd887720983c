import type { PublishError } from '../model/errors.js';
import type { DeliveryStatus } from '../model/delivery-status.js';
import { orderingKeyOf, type InboundEvent } from '../model/events.js';
import type { InboundMessage } from '../model/message.js';
import type { BusMessage, MessageBus } from '../ports/message-bus.js';

export interface WhatsAppNotificationInput {
  messages: InboundMessage[];
  statuses: DeliveryStatus[];
}

/** Errors `execute` rejects with: `PublishError` (retryable: answer 503 so Meta retries). */
export type AcceptWhatsAppNotificationError = PublishError;

/**
 * Publishes every message and status of a verified notification, ordered per conversation, and
 * resolves only once all of them are durably accepted.
 */
export class AcceptWhatsAppNotification {
  constructor(private readonly bus: MessageBus) {}

  async execute(input: WhatsAppNotificationInput): Promise<{ published: number }> {
    const events: InboundEvent[] = [
      ...input.messages.map((message): InboundEvent => ({ kind: 'message', message })),
      ...input.statuses.map((status): InboundEvent => ({ kind: 'status', status })),
    ];
    if (events.length > 0) await this.bus.publish('inbound', events.map(toBusMessage));
    return { published: events.length };
  }
}

export function toBusMessage(event: InboundEvent): BusMessage<InboundEvent> {
  return { event, orderingKey: orderingKeyOf(event), attributes: { kind: event.kind } };
}
