import type { UnsentReason } from '../../domain/model/reasons.js';
import type { ReplyChannel, SendResult } from '../../domain/ports/reply-channel.js';

/** A channel deliberately not configured for sending: replies are stored and marked unsent. */
export class UnconfiguredReplyChannel implements ReplyChannel {
  constructor(private readonly reason: UnsentReason) {}

  async send(): Promise<SendResult> {
    return { kind: 'unsent', reason: this.reason };
  }

  async acknowledge(): Promise<void> {}

  async sendTemplate(): Promise<SendResult> {
    return { kind: 'unsent', reason: this.reason };
  }
}
