import { isRetryable } from '../model/errors.js';
import type { Failure, MessagePatch, MessageRecord } from '../model/message-record.js';
import type { InboundMessage } from '../model/message.js';
import { splitReply } from '../model/split-reply.js';
import type { ChannelSettingsStore } from '../ports/channel-settings-store.js';
import type { Clock } from '../ports/clock.js';
import type { MessageLog } from '../ports/message-log.js';
import { OUTSIDE_SERVICE_WINDOW, SEND_OUTCOME_UNKNOWN, type ReplyChannel, type ReplyTemplate, type SendResult } from '../ports/reply-channel.js';
import type { ChannelSettingsCache } from './channel-settings-cache.js';
import { effectiveSettings } from './compose-reply.js';
import { reasonOf } from './interaction-of.js';
import type { ReplyPolicy } from './reply-policy.js';
import type { RequestHuman } from './request-human.js';

/**
 * The send step of a stored reply: claimed (`sending`, under a lease) before each part goes out,
 * each part's id written after it; a send that may have reached the person but whose answer was
 * lost is `send-unknown`, never sent again; outside WhatsApp's 24 h window the channel's template
 * goes instead. A handoff reply goes out once the conversation waits for a person.
 */
export class SendReply {
  constructor(
    private readonly store: MessageLog & ChannelSettingsStore,
    private readonly channel: ReplyChannel,
    private readonly clock: Clock,
    private readonly policy: ReplyPolicy,
    private readonly settings: ChannelSettingsCache,
    private readonly requestHuman: RequestHuman,
  ) {}

  async execute(answered: MessageRecord): Promise<MessageRecord> {
    // A handoff reply goes out once the conversation waits for a person (and the channel's system was told).
    const record = answered.handoffRequest && answered.outboundIds.length === 0 ? await this.requestHuman.prepare(answered, await this.notifyUrlOf(answered)) : answered;
    if (record.state !== 'answered') return record;
    const now = this.clock.now();
    const leased = await this.store.transition(record.message.conversationId, record.message.id, record.version, {
      state: 'sending',
      leaseUntil: now + this.policy.leaseMs,
      sendAttempts: record.sendAttempts + 1,
      updatedAt: now,
    });
    if (!leased) return this.reload(record.message);

    const { message } = leased;
    // A generation failure (the fallback's reason) stays on the record whatever the send does.
    const kept = leased.failure?.stage === 'generate' ? leased.failure : undefined;
    const parts = splitReply(leased.reply!.text, this.policy.maxPartLength[message.channel]);
    let current = leased;
    // Parts already recorded as sent (a previous attempt failed midway) are not sent again.
    for (let part = current.outboundIds.length; part < parts.length; part++) {
      let result: SendResult;
      try {
        result = await this.channel.send({ inReplyTo: message, text: parts[part]!, part, parts: parts.length });
      } catch (sendError) {
        return this.sendFailed(current, kept, sendError);
      }
      if (result.kind === 'unsent') return this.write(current, { state: 'unsent', leaseUntil: 0, note: result.reason, failure: kept });
      // The part is out: a store failure from here on must not make it look unsent (a redelivery
      // would send it again). It propagates with the message `sending` under its lease. The last
      // part's id and the `sent` state are one write.
      const outboundIds = [...current.outboundIds, ...result.outboundIds];
      const next = await this.store.transition(
        message.conversationId,
        message.id,
        current.version,
        part === parts.length - 1
          ? { outboundIds, state: 'sent', leaseUntil: 0, failure: kept, updatedAt: this.clock.now() }
          : { outboundIds, leaseUntil: this.clock.now() + this.policy.leaseMs, updatedAt: this.clock.now() },
      );
      if (!next) return this.reload(message);
      current = next;
    }
    // No part was left to send (the reply was split differently when its parts were sent).
    return current.state === 'sent' ? current : this.write(current, { state: 'sent', leaseUntil: 0, failure: kept });
  }

  /** The channel refused or failed a send: the template fallback, a retry, `failed`, or `send-unknown` when it may have gone out. */
  private async sendFailed(current: MessageRecord, kept: Failure | undefined, sendError: unknown): Promise<MessageRecord> {
    let error = sendError;
    if (reasonOf(sendError) === OUTSIDE_SERVICE_WINDOW && current.outboundIds.length === 0) {
      const template = (await this.store.channelSettings(current.message.accountId))?.windowTemplate;
      if (template) {
        let result: SendResult | undefined;
        try {
          result = await this.channel.sendTemplate(current.message, template);
        } catch (templateError) {
          error = templateError;
        }
        if (result) return this.templateSent(current, template, result);
      }
    }
    const failure: Failure = { stage: 'send', reason: reasonOf(error) };
    // The part may have reached the person: it is reported as unknown and never sent again.
    if (failure.reason === SEND_OUTCOME_UNKNOWN) return this.write(current, { state: 'send-unknown', leaseUntil: 0, failure });
    if (isRetryable(error) && this.sendMayRetry(current)) {
      await this.write(current, { state: 'answered', leaseUntil: 0, failure: kept ?? failure });
      throw error;
    }
    return this.write(current, { state: 'failed', leaseUntil: 0, failure });
  }

  private async notifyUrlOf(record: MessageRecord): Promise<string | undefined> {
    return (await effectiveSettings(this.policy, this.settings, record.message.accountId)).handoff.notifyUrl;
  }

  /** Transient send failures are retried `maxSendAttempts` times, and for at least `sendRetryWindowMs` after the message arrived. */
  private sendMayRetry(record: MessageRecord): boolean {
    return record.sendAttempts < this.policy.maxSendAttempts || this.clock.now() - record.message.receivedAt < (this.policy.sendRetryWindowMs ?? 0);
  }

  /** Outside WhatsApp's 24 h window a free-form reply is refused: the channel's template went instead. */
  private templateSent(record: MessageRecord, template: ReplyTemplate, result: SendResult): Promise<MessageRecord> {
    return result.kind === 'sent'
      ? this.write(record, {
          state: 'sent',
          leaseUntil: 0,
          outboundIds: result.outboundIds,
          templateFallback: template.name,
          failure: { stage: 'send', reason: OUTSIDE_SERVICE_WINDOW },
        })
      : this.write(record, { state: 'unsent', leaseUntil: 0, note: result.reason });
  }

  /** Compare-and-set; when another delivery wrote first, continue from what it stored. */
  private async write(record: MessageRecord, patch: MessagePatch): Promise<MessageRecord> {
    const next = await this.store.transition(record.message.conversationId, record.message.id, record.version, { ...patch, updatedAt: this.clock.now() });
    return next ?? this.reload(record.message);
  }

  private async reload(message: InboundMessage): Promise<MessageRecord> {
    return (await this.store.register(message, this.clock.now())).record;
  }
}
