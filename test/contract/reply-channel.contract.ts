import { afterEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/domain/model/message.js';
import { ReplySendError, SEND_OUTCOME_UNKNOWN, type ReplyChannel, type ReplyTemplate } from '../../src/domain/ports/reply-channel.js';

/**
 * A channel plus the test-side controls of the other side it talks to (the Graph double, a
 * callback receiver, or the fake's own script). Each control scripts only the next request.
 */
export interface ReplyChannelUnderTest {
  channel: ReplyChannel;
  /** A fresh message this channel answers (its channel, account, recipient and callback). */
  aMessage(): InboundMessage;
  /** The reply texts the other side has received so far, in arrival order, whatever it answered. */
  received(): readonly string[];
  /** The other side refuses the next send for good (Graph 4xx error, callback 400). */
  refuseNext(): void;
  /** The other side fails the next send for now (Graph 5xx/131000, callback 503). */
  failNextTransiently(): void;
  /** The other side takes the next send and acts on it, but its answer is lost (connection closed). */
  loseNextAnswer(): void;
  /** The next send cannot reach the other side at all: no request leaves. */
  unreachableNext(): void | Promise<void>;
  /** Templates: `supported` (with a way to make the other side refuse the next one), or the `unsent` reason. */
  templates: { refuseNext(): void } | { unsentReason: string };
  /** The other side fails the next acknowledgement (read receipt); absent when the channel sends none. */
  failNextAcknowledgement?: () => void;
  cleanup?: () => Promise<void>;
}

/** A channel deliberately not configured to send, and a message it is asked to answer. */
export interface NotConfiguredUnderTest {
  channel: ReplyChannel;
  message: InboundMessage;
  /** What the other side received (nothing, when the contract holds). */
  received(): readonly string[];
  cleanup?: () => Promise<void>;
}

const TEMPLATE: ReplyTemplate = { name: 'reengage_hello', language: 'en_US' };

async function sendError(promise: Promise<unknown>): Promise<ReplySendError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a ReplySendError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(ReplySendError);
  return outcome.error as ReplySendError;
}

function expectOutboundIds(ids: readonly string[]): void {
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) expect(id).toMatch(/\S/);
}

/**
 * The shared cases every ReplyChannel implementation must pass: what `send`, `sendTemplate` and
 * `acknowledge` answer, and how each failure is typed (refused, transient, never sent, or sent with
 * its answer lost: `send-outcome-unknown`, never retryable). A channel never repeats a send itself.
 */
export function replyChannelContract(
  name: string,
  make: () => Promise<ReplyChannelUnderTest>,
  options: { unconfigured?: () => Promise<NotConfiguredUnderTest> } = {},
): void {
  const { unconfigured } = options;
  describe(name, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    async function aChannel(): Promise<ReplyChannelUnderTest> {
      const harness = await make();
      if (harness.cleanup) cleanups.push(harness.cleanup);
      return harness;
    }

    it('resolves sent with the outbound id and delivers the text once when the other side accepts it', async () => {
      const h = await aChannel();

      const result = await h.channel.send({ inReplyTo: h.aMessage(), text: 'Yes, from 10 to 16 h. ☀️', part: 0 });

      expect(result.kind).toBe('sent');
      if (result.kind === 'sent') expectOutboundIds(result.outboundIds);
      expect(h.received()).toEqual(['Yes, from 10 to 16 h. ☀️']);
    });

    it('gives every part of a long reply its own outbound id and delivers the parts in order when they are sent one by one', async () => {
      const h = await aChannel();
      const message = h.aMessage();

      const ids: string[] = [];
      for (const [part, text] of ['Part one.', 'Part two.', 'Part three.'].entries()) {
        const result = await h.channel.send({ inReplyTo: message, text, part, parts: 3 });
        if (result.kind !== 'sent') throw new Error(`part ${part} was ${result.kind}`);
        ids.push(...result.outboundIds);
      }

      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeGreaterThanOrEqual(3);
      expect(h.received()).toEqual(['Part one.', 'Part two.', 'Part three.']);
    });

    it('rejects a non-retryable ReplySendError, and does not try again, when the other side refuses the send', async () => {
      const h = await aChannel();
      h.refuseNext();

      const error = await sendError(h.channel.send({ inReplyTo: h.aMessage(), text: 'refused', part: 0 }));

      expect(error.retryable).toBe(false);
      expect(error.reason).toMatch(/\S/);
      expect(error.reason).not.toBe(SEND_OUTCOME_UNKNOWN);
      expect(h.received()).toEqual(['refused']);
    });

    it('rejects a retryable ReplySendError, and does not try again itself, when the other side fails for now', async () => {
      const h = await aChannel();
      h.failNextTransiently();

      const error = await sendError(h.channel.send({ inReplyTo: h.aMessage(), text: 'try later', part: 0 }));

      expect(error.retryable).toBe(true);
      expect(error.reason).not.toBe(SEND_OUTCOME_UNKNOWN);
      expect(h.received()).toEqual(['try later']);
    });

    it('rejects a retryable ReplySendError that is not an unknown outcome when no request could leave', async () => {
      const h = await aChannel();
      await h.unreachableNext();

      const error = await sendError(h.channel.send({ inReplyTo: h.aMessage(), text: 'never left', part: 0 }));

      expect(error.retryable).toBe(true);
      expect(error.reason).not.toBe(SEND_OUTCOME_UNKNOWN);
    });

    it('rejects send-outcome-unknown, never retryable, and sends once when the other side took the send but its answer was lost', async () => {
      const h = await aChannel();
      h.loseNextAnswer();

      const error = await sendError(h.channel.send({ inReplyTo: h.aMessage(), text: 'maybe delivered', part: 0 }));

      expect(error).toMatchObject({ reason: SEND_OUTCOME_UNKNOWN, retryable: false });
      expect(h.received()).toEqual(['maybe delivered']);
    });

    it('resolves without rejecting when acknowledging a message, even when the other side fails the acknowledgement', async () => {
      const h = await aChannel();

      await expect(h.channel.acknowledge(h.aMessage())).resolves.toBeUndefined();
      h.failNextAcknowledgement?.();
      await expect(h.channel.acknowledge(h.aMessage())).resolves.toBeUndefined();
      expect(h.received()).toEqual([]);
    });

    it('sends a template or answers unsent with a reason, as the channel allows, when asked for one', async () => {
      const h = await aChannel();

      const result = await h.channel.sendTemplate(h.aMessage(), TEMPLATE);

      if ('unsentReason' in h.templates) expect(result).toEqual({ kind: 'unsent', reason: h.templates.unsentReason });
      else {
        expect(result.kind).toBe('sent');
        if (result.kind === 'sent') expectOutboundIds(result.outboundIds);
      }
      expect(h.received()).toEqual([]);
    });

    it('rejects a non-retryable ReplySendError when the other side refuses a template, unless the channel sends none', async () => {
      const h = await aChannel();
      if ('unsentReason' in h.templates) {
        // A channel without templates answers unsent whatever the other side would say.
        expect(await h.channel.sendTemplate(h.aMessage(), TEMPLATE)).toEqual({ kind: 'unsent', reason: h.templates.unsentReason });
        return;
      }
      h.templates.refuseNext();

      const error = await sendError(h.channel.sendTemplate(h.aMessage(), TEMPLATE));

      expect(error.retryable).toBe(false);
      expect(error.reason).not.toBe(SEND_OUTCOME_UNKNOWN);
    });

    if (unconfigured) notConfiguredCase(unconfigured, cleanups);
  });
}

/** The one case a channel that never sends (`UnconfiguredReplyChannel`) can run: the rest need a channel that sends. */
export function unconfiguredReplyChannelContract(name: string, make: () => Promise<NotConfiguredUnderTest>): void {
  describe(name, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });
    notConfiguredCase(make, cleanups);
  });
}

function notConfiguredCase(make: () => Promise<NotConfiguredUnderTest>, cleanups: (() => Promise<void>)[]): void {
  it('answers unsent with a reason to sends and templates, and delivers nothing, when the channel is not configured to send', async () => {
    const u = await make();
    if (u.cleanup) cleanups.push(u.cleanup);

    const sent = await u.channel.send({ inReplyTo: u.message, text: 'nowhere to go', part: 0 });
    const template = await u.channel.sendTemplate(u.message, TEMPLATE);
    await expect(u.channel.acknowledge(u.message)).resolves.toBeUndefined();

    expect(sent).toEqual({ kind: 'unsent', reason: expect.stringMatching(/\S/) });
    expect(template).toEqual({ kind: 'unsent', reason: expect.stringMatching(/\S/) });
    expect(u.received()).toEqual([]);
  });
}
