import { isRetryable } from '../model/errors.js';
import type { DeliveryStatus } from '../model/delivery-status.js';
import type { MessageRecord, WindowTemplateSend } from '../model/message-record.js';
import type { ChannelSettingsStore } from '../ports/channel-settings-store.js';
import type { MessageLog } from '../ports/message-log.js';
import type { Clock } from '../ports/clock.js';
import { OUTSIDE_SERVICE_WINDOW, SEND_OUTCOME_UNKNOWN, type ReplyChannel, type SendResult } from '../ports/reply-channel.js';
import { reasonOf } from './interaction-of.js';

/** Compare-and-set attempts when other statuses of the same reply race the claim. */
const MAX_CLAIM_ATTEMPTS = 5;

/** True for a status saying a reply was refused because the person's 24 h service window had closed. */
export const isWindowFailure = (status: DeliveryStatus): boolean => status.status === 'failed' && status.failureReason === OUTSIDE_SERVICE_WINDOW;

/**
 * Meta usually reports the closed 24 h window late, in a `failed` status, rather than refusing the
 * send. Like the refused send, it gets the channel's window template: claimed on the record first
 * (so two deliveries of the status, even concurrent ones, send it once), and never sent again
 * once claimed unless the send provably failed before it left.
 */
export class WindowTemplateAfterFailure {
  constructor(
    private readonly store: MessageLog & ChannelSettingsStore,
    private readonly channel: ReplyChannel,
    private readonly clock: Clock,
  ) {}

  async execute(status: DeliveryStatus, known: MessageRecord | null): Promise<void> {
    let record = known ?? (await this.find(status));
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS && record; attempt++) {
      // Only a bot reply of ours gets it, once; a template that failed the same way gets nothing more.
      if (!record.reply || record.windowTemplate || record.templateFallback !== undefined) return;
      const template = (await this.store.channelSettings(record.message.accountId))?.windowTemplate;
      if (!template) return;
      const claim: WindowTemplateSend = { name: template.name, state: 'sending', at: this.clock.now() };
      const claimed = await this.store.transition(record.message.conversationId, record.message.id, record.version, { windowTemplate: claim, updatedAt: this.clock.now() });
      if (claimed) return this.send(claimed, claim, template);
      record = await this.store.findMessage(record.message.conversationId, record.message.id);
    }
  }

  private async find(status: DeliveryStatus): Promise<MessageRecord | null> {
    const byOutbound = await this.store.findByOutboundId(status.outboundId);
    if (byOutbound || !status.sentFor) return byOutbound;
    return this.store.findMessage(status.conversationId, status.sentFor.messageId);
  }

  private async send(claimed: MessageRecord, claim: WindowTemplateSend, template: { name: string; language: string }): Promise<void> {
    let result: SendResult;
    try {
      result = await this.channel.sendTemplate(claimed.message, template);
    } catch (error) {
      if (isRetryable(error)) {
        // Nothing left (refused before the request went out): give the claim back, the redelivered status retries.
        await this.settle(claimed, undefined);
        throw error;
      }
      const reason = reasonOf(error);
      return this.settle(claimed, { ...claim, state: reason === SEND_OUTCOME_UNKNOWN ? 'unknown' : 'failed', reason });
    }
    const at = this.clock.now();
    return this.settle(
      claimed,
      result.kind === 'sent' ? { ...claim, state: 'sent', at, outboundIds: result.outboundIds } : { ...claim, state: 'unsent', at, reason: result.reason },
    );
  }

  /** Records what became of the claimed send; a status applied meanwhile only means one more read. */
  private async settle(claimed: MessageRecord, windowTemplate: WindowTemplateSend | undefined): Promise<void> {
    let record: MessageRecord | null = claimed;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS && record; attempt++) {
      const written = await this.store.transition(record.message.conversationId, record.message.id, record.version, { windowTemplate, updatedAt: this.clock.now() });
      if (written) return;
      record = await this.store.findMessage(record.message.conversationId, record.message.id);
    }
  }
}
