import type { DeliveryStatus } from '../model/delivery-status.js';
import { userKeyFor } from '../model/ids.js';
import type { StatusInteraction } from '../model/interaction.js';
import type { ApplyStatusResult, ChatStore } from '../ports/chat-store.js';
import type { MessageBus } from '../ports/message-bus.js';

/**
 * Applies a delivery status to the stored reply (never regressing) and records it for analytics.
 * A status for a reply we do not know (sent by another system on the same number) is recorded only.
 */
export class ApplyDeliveryStatus {
  constructor(
    private readonly store: ChatStore,
    private readonly bus: MessageBus,
  ) {}

  async execute(status: DeliveryStatus): Promise<{ result: ApplyStatusResult }> {
    const result = await this.store.applyStatus(status);
    await this.bus.publish('interactions', [{ event: statusInteractionOf(status), orderingKey: status.conversationId }]);
    return { result };
  }
}

function statusInteractionOf(status: DeliveryStatus): StatusInteraction {
  const errorCode = status.errors?.[0]?.code;
  return {
    type: 'status',
    eventId: `status:${status.channel}:${status.outboundId}:${status.status}`,
    occurredAt: status.at,
    channel: status.channel,
    accountId: status.accountId,
    conversationId: status.conversationId,
    userKey: userKeyFor(status.channel, status.accountId, status.recipientId),
    outboundId: status.outboundId,
    status: status.status,
    ...(status.pricing?.category ? { pricingCategory: status.pricing.category } : {}),
    ...(errorCode !== undefined ? { errorCode } : {}),
  };
}
