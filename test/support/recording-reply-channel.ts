import { randomUUID } from 'node:crypto';
import { ReplySendError, type OutboundReply, type ReplyChannel, type SendResult } from '../../src/domain/ports/reply-channel.js';

type Scripted = { kind: 'fail'; retryable: boolean } | { kind: 'unsent'; reason: string };

/**
 * A reply channel that records every reply it is asked to send (successful or not) and can be
 * told to fail the next sends or to answer `unsent`.
 */
export class RecordingReplyChannel implements ReplyChannel {
  /** Every send call, in order, including the ones that failed or were unsent. */
  readonly attempts: OutboundReply[] = [];
  /** Replies that were actually sent, with the outbound ids they got. */
  readonly sent: { reply: OutboundReply; outboundIds: string[] }[] = [];
  private script: Scripted[] = [];
  private alwaysUnsent: string | undefined;
  private delayMs = 0;

  /** The next `count` sends reject with a `ReplySendError`. */
  failNext(count: number, retryable: boolean): this {
    this.script.push(...Array.from({ length: count }, (): Scripted => ({ kind: 'fail', retryable })));
    return this;
  }

  /** Every send answers `unsent` with this reason (the channel is not configured). */
  answerUnsent(reason: string): this {
    this.alwaysUnsent = reason;
    return this;
  }

  slowBy(ms: number): this {
    this.delayMs = ms;
    return this;
  }

  async send(reply: OutboundReply): Promise<SendResult> {
    this.attempts.push(structuredClone(reply));
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const next = this.script.shift();
    if (next?.kind === 'fail') throw new ReplySendError('scripted send failure', next.retryable);
    if (next?.kind === 'unsent') return { kind: 'unsent', reason: next.reason };
    if (this.alwaysUnsent !== undefined) return { kind: 'unsent', reason: this.alwaysUnsent };
    const outboundIds = [`out.${randomUUID()}`];
    this.sent.push({ reply: structuredClone(reply), outboundIds });
    return { kind: 'sent', outboundIds };
  }
}
