import type { DeliveryStatus } from '../model/delivery-status.js';
import { userKeyFor } from '../model/ids.js';
import type { InteractionEvent, MessageInteraction, StatusInteraction } from '../model/interaction.js';
import type { MessageRecord } from '../model/message-record.js';
import { chargeOf, type RateCard } from '../model/whatsapp-pricing.js';
import type { ChannelSettingsStore } from '../ports/channel-settings-store.js';
import type { ApplyStatusResult, MessageLog } from '../ports/message-log.js';
import type { Clock } from '../ports/clock.js';
import type { BusMessage, MessageBus } from '../ports/message-bus.js';
import type { ReplyChannel } from '../ports/reply-channel.js';
import { interactionOf } from './interaction-of.js';
import { settlementOf } from './settle-send-outcome.js';
import { isWindowFailure, WindowTemplateAfterFailure } from './window-template-after-failure.js';

/** `resolved`: the status settled a reply whose send outcome we did not know. */
export type ApplyDeliveryStatusResult = ApplyStatusResult | 'resolved';

/** Compare-and-set attempts when the reply changes while a status settles it. */
const MAX_SETTLE_ATTEMPTS = 5;

/**
 * Applies a delivery status to the stored reply (never regressing) and records it for analytics,
 * with what WhatsApp charged for the message when the status says it reached the phone (priced
 * from the operator's rate card by category and the recipient's market).
 * A status naming a reply whose send answer was lost settles it; a failure of a reply already sent
 * revises its outcome to failed; a late "outside the 24 h window" failure sends the channel's
 * window template once. A status for a reply we do not know (sent by
 * another system on the same number) is recorded only.
 */
export class ApplyDeliveryStatus {
  private readonly windowTemplate: WindowTemplateAfterFailure;

  constructor(
    private readonly store: MessageLog & ChannelSettingsStore,
    private readonly bus: MessageBus,
    channel: ReplyChannel,
    private readonly clock: Clock,
    private readonly rateCard: RateCard,
  ) {
    this.windowTemplate = new WindowTemplateAfterFailure(store, channel, clock);
  }

  async execute(status: DeliveryStatus): Promise<{ result: ApplyDeliveryStatusResult }> {
    const applied = await this.store.applyStatus(status);
    const settled = applied === 'unknown' && status.sentFor ? await this.settle(status) : null;
    if (isWindowFailure(status)) await this.windowTemplate.execute(status, settled);
    const undelivered = status.status === 'failed' && !settled ? await this.undeliveredReply(status) : null;
    const countedWithMessage = settled?.state === 'failed' || undelivered !== null;
    const events: BusMessage<InteractionEvent>[] = [{ event: statusInteractionOf(status, countedWithMessage, this.rateCard), orderingKey: status.conversationId }];
    // Its outcome was published as unknown already: publish the settled one (the worker does it otherwise).
    if (settled?.recorded) events.push({ event: interactionOf(settled), orderingKey: status.conversationId });
    if (undelivered) events.push({ event: undelivered, orderingKey: status.conversationId });
    await this.bus.publish('interactions', events);
    return { result: settled ? 'resolved' : applied };
  }

  /**
   * A reply sent but not delivered: its message fact revised to failed under the delivery's reason,
   * so the analytics no longer count it as answered (the customer never saw it). Published whether
   * or not the worker recorded the reply yet: the store keeps whichever outcome is final.
   */
  private async undeliveredReply(status: DeliveryStatus): Promise<MessageInteraction | null> {
    const record =
      status.sentFor?.kind === 'reply' ? await this.store.findMessage(status.conversationId, status.sentFor.messageId) : await this.store.findByOutboundId(status.outboundId);
    if (!record || record.state !== 'sent' || !record.outboundIds.includes(status.outboundId)) return null;
    return { ...interactionOf(record), outcome: 'failed', failureReason: status.failureReason ?? 'delivery_failed', occurredAt: status.at };
  }

  private async settle(status: DeliveryStatus): Promise<MessageRecord | null> {
    for (let attempt = 0; attempt < MAX_SETTLE_ATTEMPTS; attempt++) {
      const record = await this.store.findMessage(status.conversationId, status.sentFor!.messageId);
      const patch = record && settlementOf(record, status);
      if (!record || !patch) return null;
      const written = await this.store.transition(record.message.conversationId, record.message.id, record.version, { ...patch, updatedAt: this.clock.now() });
      if (written) return written;
    }
    return null;
  }
}

function statusInteractionOf(status: DeliveryStatus, countedWithMessage: boolean, rateCard: RateCard): StatusInteraction {
  const errorCode = status.errors?.[0]?.code;
  // A failure that settled or revised the reply's own outcome is counted with the message, not twice.
  const failureReason = status.status === 'failed' && !countedWithMessage ? (status.failureReason ?? 'delivery_failed') : undefined;
  const pricing = status.pricing;
  const charge = chargeOf(status, rateCard);
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
    ...(pricing?.category ? { pricingCategory: pricing.category } : {}),
    ...(pricing?.type ? { pricingType: pricing.type } : {}),
    ...(pricing?.model ? { pricingModel: pricing.model } : {}),
    ...(pricing?.billable !== undefined ? { billable: pricing.billable } : {}),
    ...(charge ? { charge } : {}),
    ...(errorCode !== undefined ? { errorCode } : {}),
    ...(failureReason ? { failureReason } : {}),
  };
}
