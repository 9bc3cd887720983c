import type { InboundEvent } from '../model/events.js';
import type { MessageState } from '../model/message-record.js';
import type { OutcomeReason } from '../model/reasons.js';
import type { ApplyDeliveryStatus, ApplyDeliveryStatusResult } from './apply-delivery-status.js';
import type { ReplyToMessage } from './reply-to-message.js';
import type { AgentReplyOutcome, SendAgentReply } from './send-agent-reply.js';

export type InboundEventOutcome =
  | { kind: 'message'; state: MessageState; firstDelivery: boolean; reason?: OutcomeReason }
  | { kind: 'status'; result: ApplyDeliveryStatusResult }
  | { kind: 'agent-reply'; state: AgentReplyOutcome['state']; firstDelivery: boolean };

/** The worker's entry point: one use case per event kind. */
export class HandleInboundEvent {
  constructor(
    private readonly reply: ReplyToMessage,
    private readonly applyStatus: ApplyDeliveryStatus,
    private readonly agentReply: SendAgentReply,
  ) {}

  async execute(event: InboundEvent): Promise<InboundEventOutcome> {
    if (event.kind === 'message') {
      const outcome = await this.reply.execute(event.message);
      const { state, firstDelivery, reason } = outcome;
      return { kind: 'message', state, firstDelivery, ...(reason ? { reason } : {}) };
    }
    if (event.kind === 'agent-reply') {
      const { state, firstDelivery } = await this.agentReply.execute(event.conversationId, event.replyId);
      return { kind: 'agent-reply', state, firstDelivery };
    }
    const { result } = await this.applyStatus.execute(event.status);
    return { kind: 'status', result };
  }
}
