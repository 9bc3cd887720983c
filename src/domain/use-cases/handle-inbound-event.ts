import type { InboundEvent } from '../model/events.js';
import type { MessageState } from '../model/message-record.js';
import type { OutcomeReason } from '../model/reasons.js';
import type { ApplyDeliveryStatus, ApplyDeliveryStatusResult } from './apply-delivery-status.js';
import type { ReplyToMessage } from './reply-to-message.js';

export type InboundEventOutcome =
  | { kind: 'message'; state: MessageState; firstDelivery: boolean; reason?: OutcomeReason }
  | { kind: 'status'; result: ApplyDeliveryStatusResult };

/** The worker's entry point: one use case per event kind. */
export class HandleInboundEvent {
  constructor(
    private readonly reply: ReplyToMessage,
    private readonly applyStatus: ApplyDeliveryStatus,
  ) {}

  async execute(event: InboundEvent): Promise<InboundEventOutcome> {
    if (event.kind === 'message') {
      const outcome = await this.reply.execute(event.message);
      const { state, firstDelivery, reason } = outcome;
      return { kind: 'message', state, firstDelivery, ...(reason ? { reason } : {}) };
    }
    const { result } = await this.applyStatus.execute(event.status);
    return { kind: 'status', result };
  }
}
