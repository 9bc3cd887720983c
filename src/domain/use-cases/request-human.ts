import type { HandoffRequest, MessageRecord } from '../model/message-record.js';
import { maskedParticipant } from '../model/masked-participant.js';
import type { Clock } from '../ports/clock.js';
import type { ConversationArchive } from '../ports/conversation-archive.js';
import type { HandoffLog } from '../ports/handoff-log.js';
import type { HandoffNotifier } from '../ports/handoff-notifier.js';
import type { MessageBus } from '../ports/message-bus.js';
import type { MessageLog } from '../ports/message-log.js';
import { SEND_OUTCOME_UNKNOWN } from '../ports/reply-channel.js';
import { DomainError } from '../model/errors.js';
import { ChangeHandoff } from './change-handoff.js';
import { reasonOf } from './interaction-of.js';

type Notice = NonNullable<HandoffRequest['notice']>;

/** A notifier for a worker without one: every notice fails as not configured (the queue still shows the conversation). */
export const NO_HANDOFF_NOTIFIER: HandoffNotifier = {
  notify: async () => {
    throw new DomainError('reply_send_failed', 'no handoff notifier is configured', false, { reason: 'reply_channel_not_configured' });
  },
};

/**
 * What happens before a handoff reply ("a person will take over") goes out: the conversation is
 * put in the "needs a human" queue (the model is not called for it from then on), and the
 * channel's notify URL is told once — claimed `sending` on the message first, so a crash or a
 * lost answer leaves it `unknown`, never sent twice. Both steps are safe to repeat: a redelivery
 * of the same message finds the conversation waiting and the notice settled.
 */
export class RequestHuman {
  private readonly handoff: ChangeHandoff;

  constructor(
    private readonly store: HandoffLog & ConversationArchive & MessageLog,
    bus: MessageBus,
    private readonly clock: Clock,
    private readonly notifier: HandoffNotifier,
    private readonly leaseMs: number,
  ) {
    this.handoff = new ChangeHandoff(store, bus, clock);
  }

  /** `notifyUrl`: the channel's, when it has one. Answers the message as stored after the steps taken. */
  async prepare(record: MessageRecord, notifyUrl: string | undefined): Promise<MessageRecord> {
    const request = record.handoffRequest;
    if (!request) return record;
    const { conversation, handoff } = await this.handoff.execute(record.message.conversationId, { kind: 'request', by: request.by });
    if (!notifyUrl) return record;
    const notice = request.notice;
    const now = this.clock.now();
    // Another delivery is telling it now; or it was told, refused, or its answer was lost.
    if (notice?.state === 'sending' && notice.at + this.leaseMs > now) return record;
    if (notice && notice.state !== 'sending') return record;
    if (notice) return (await this.write(record, { ...request, notice: { state: 'unknown', at: now, reason: SEND_OUTCOME_UNKNOWN } })) ?? record;
    const claimed = await this.write(record, { ...request, notice: { state: 'sending', at: now } });
    if (!claimed) return (await this.store.findMessage(record.message.conversationId, record.message.id)) ?? record;
    let settled: Notice;
    try {
      await this.notifier.notify({
        id: `handoff_${conversation.id}_${handoff.waitingSince ?? handoff.since}`,
        url: notifyUrl,
        conversationId: conversation.id,
        channel: conversation.channel,
        accountId: conversation.accountId,
        participant: maskedParticipant(conversation.channel, conversation.participant.id),
        requestedBy: request.by,
        waitingSince: handoff.waitingSince ?? handoff.since,
      });
      settled = { state: 'sent', at: this.clock.now() };
    } catch (error) {
      const reason = reasonOf(error);
      settled = { state: reason === SEND_OUTCOME_UNKNOWN ? 'unknown' : 'failed', at: this.clock.now(), reason };
    }
    return (await this.write(claimed, { ...request, notice: settled })) ?? claimed;
  }

  private write(record: MessageRecord, handoffRequest: HandoffRequest): Promise<MessageRecord | null> {
    return this.store.transition(record.message.conversationId, record.message.id, record.version, { handoffRequest, updatedAt: this.clock.now() });
  }
}
