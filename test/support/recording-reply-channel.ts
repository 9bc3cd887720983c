import { randomUUID } from 'node:crypto';
import type { InboundMessage } from '../../src/domain/model/message.js';
import type { SendFailureReason, UnsentReason } from '../../src/domain/model/reasons.js';
import { ReplySendError, type OutboundReply, type ReplyChannel, type ReplyTemplate, type SendResult } from '../../src/domain/ports/reply-channel.js';

type Scripted = { kind: 'send' } | { kind: 'fail'; retryable: boolean; reason?: SendFailureReason } | { kind: 'unsent'; reason: UnsentReason };

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
  private templateFailures: { retryable: boolean; reason: SendFailureReason }[] = [];
  private alwaysUnsent: UnsentReason | undefined;
  private delayMs = 0;

  /** The next `count` sends succeed as usual: with `failNext` after it, a failure midway through a multi-part reply. */
  succeedNext(count: number): this {
    this.script.push(...Array.from({ length: count }, (): Scripted => ({ kind: 'send' })));
    return this;
  }

  /** Messages acknowledged (read receipt + typing), in order. */
  readonly acknowledged: string[] = [];
  /** Templates sent instead of free text. */
  readonly templates: { inReplyTo: string; template: ReplyTemplate }[] = [];

  /** The next `count` sends reject with a `ReplySendError` (with `reason` as its reason when given). */
  failNext(count: number, retryable: boolean, reason?: SendFailureReason): this {
    this.script.push(...Array.from({ length: count }, (): Scripted => ({ kind: 'fail', retryable, ...(reason ? { reason } : {}) })));
    return this;
  }

  /** Messages marked read without the typing indicator (a person holds the conversation), in order. */
  readonly readOnly: string[] = [];

  async acknowledge(message: InboundMessage, options: { typing?: boolean } = {}): Promise<void> {
    (options.typing === false ? this.readOnly : this.acknowledged).push(message.id);
  }

  /** The next `count` template sends reject with a `ReplySendError`. */
  failNextTemplates(count: number, retryable: boolean, reason: SendFailureReason): this {
    this.templateFailures.push(...Array.from({ length: count }, () => ({ retryable, reason })));
    return this;
  }

  async sendTemplate(inReplyTo: InboundMessage, template: ReplyTemplate): Promise<SendResult> {
    this.templates.push({ inReplyTo: inReplyTo.id, template });
    const failure = this.templateFailures.shift();
    if (failure) throw new ReplySendError('scripted template failure', failure.retryable, { reason: failure.reason });
    // Like the real unconfigured channel: nothing is sent, a template no more than a text.
    if (this.alwaysUnsent !== undefined) return { kind: 'unsent', reason: this.alwaysUnsent };
    return { kind: 'sent', outboundIds: [`tpl.${randomUUID()}`] };
  }

  /** Every send and template answers `unsent` with this reason (the channel is not configured). */
  answerUnsent(reason: UnsentReason): this {
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
    if (next?.kind === 'fail') throw new ReplySendError('scripted send failure', next.retryable, next.reason ? { reason: next.reason } : {});
    if (next?.kind === 'unsent') return { kind: 'unsent', reason: next.reason };
    if (this.alwaysUnsent !== undefined) return { kind: 'unsent', reason: this.alwaysUnsent };
    const outboundIds = [`out.${randomUUID()}`];
    this.sent.push({ reply: structuredClone(reply), outboundIds });
    return { kind: 'sent', outboundIds };
  }
}
