import { describe, expect, it } from 'vitest';
import type { HandoffNotice, HandoffNotifier } from '../../../src/domain/ports/handoff-notifier.js';
import { ReplySendError } from '../../../src/domain/ports/reply-channel.js';
import { ReplyToMessage } from '../../../src/domain/use-cases/reply-to-message.js';
import { replyHarness, testTokens } from '../../support/reply-harness.js';

const HANDOFF_TEXT = 'A colleague will take over in a moment.';

/** A notifier that records every notice and answers as scripted (default: accepted). */
class RecordingNotifier implements HandoffNotifier {
  readonly notices: HandoffNotice[] = [];
  readonly failures: ReplySendError[] = [];
  async notify(notice: HandoffNotice): Promise<void> {
    this.notices.push(notice);
    const failure = this.failures.shift();
    if (failure) throw failure;
  }
}

async function withHandoffSettings(handoff: { triggers?: string[]; tool?: boolean; notifyUrl?: string }) {
  const h = replyHarness();
  const notifier = new RecordingNotifier();
  const useCase = new ReplyToMessage(h.store, h.model, h.channel, h.bus, h.clock, h.policy, testTokens(), h.transcriber, undefined, notifier);
  const first = h.message({ text: 'hello' });
  await h.store.saveChannelSettings({ accountId: first.accountId, handoff: { text: HANDOFF_TEXT, ...handoff }, updatedAt: h.clock.now() });
  const next = (text: string) => {
    h.clock.advance(1000);
    return h.message({ participant: first.participant, accountId: first.accountId, text });
  };
  return { h, notifier, useCase, first, next };
}

describe('asking for a person', () => {
  it('answers a trigger phrase (any case, any spacing) with the handoff text, queues the conversation, and leaves later messages to a person', async () => {
    const { h, useCase, first, next } = await withHandoffSettings({ triggers: ['talk to a human'] });
    await useCase.execute(first);
    const asking = next('Please, let me TALK   to a Human!');

    expect(await useCase.execute(asking)).toMatchObject({ state: 'sent' });

    expect(h.model.calls).toBe(1);
    expect(h.channel.sent.at(-1)!.reply.text).toBe(HANDOFF_TEXT);
    expect(await h.stored(asking)).toMatchObject({ reply: { kind: 'handoff', text: HANDOFF_TEXT }, handoffRequest: { by: 'trigger' } });
    const waiting = await h.store.waitingForHuman({ limit: 10 });
    expect(waiting.map((c) => c.id)).toEqual([first.conversationId]);
    expect(waiting[0]!.handoff).toMatchObject({ mode: 'human', requestedBy: 'trigger', waitingSince: h.clock.now() });
    expect(await useCase.execute(next('hello?'))).toMatchObject({ state: 'skipped', reason: 'human_mode' });
    expect(h.model.calls).toBe(1);
    expect((await h.published()).filter((f) => f.type === 'mode')).toEqual([expect.objectContaining({ mode: 'human' })]);
  });

  it('hands over when the model calls request_human, only where the channel offers the tool', async () => {
    const offered = await withHandoffSettings({ tool: true });
    const asking = offered.first;
    const text = 'I am angry [[tool:request_human {"reason":"angry customer"}]]';
    expect(await offered.useCase.execute({ ...asking, content: { type: 'text', body: text } })).toMatchObject({ state: 'sent' });
    expect(offered.h.model.requests[0]!.tools?.map((t) => t.name)).toEqual(['request_human']);
    expect(offered.h.channel.sent[0]!.reply.text).toBe(HANDOFF_TEXT);
    expect(await offered.h.store.handoff(asking.conversationId)).toMatchObject({ mode: 'human', requestedBy: 'tool' });
    // The model's tokens are still counted.
    expect((await offered.h.published()).find((f) => f.type === 'message')).toMatchObject({ replyKind: 'handoff', model: 'scripted-echo-v1' });

    const notOffered = await withHandoffSettings({});
    await notOffered.useCase.execute({ ...notOffered.first, content: { type: 'text', body: text } });
    expect(notOffered.h.model.requests[0]!.tools).toBeUndefined();
    expect(notOffered.h.channel.sent[0]!.reply.text).not.toBe(HANDOFF_TEXT);
    expect(await notOffered.h.store.handoff(notOffered.first.conversationId)).toMatchObject({ mode: 'bot' });
  });

  it('tells the channel\'s notify URL once, with a masked participant, however often the message is delivered', async () => {
    const { h, notifier, useCase, first } = await withHandoffSettings({ triggers: ['human'], notifyUrl: 'https://crm.example.com/hooks/handoff' });
    const asking = { ...first, content: { type: 'text' as const, body: 'human please' } };

    await useCase.execute(asking);
    await useCase.execute(asking);

    expect(notifier.notices).toHaveLength(1);
    expect(notifier.notices[0]).toMatchObject({ url: 'https://crm.example.com/hooks/handoff', conversationId: first.conversationId, requestedBy: 'trigger', waitingSince: h.clock.now() });
    expect(notifier.notices[0]!.participant).toContain('•');
    expect(JSON.stringify(notifier.notices[0])).not.toContain(first.participant.id);
    expect(await h.stored(asking)).toMatchObject({ handoffRequest: { notice: { state: 'sent' } } });
  });

  it('never repeats a notice whose answer was lost, nor one whose sender died while telling it', async () => {
    const lost = await withHandoffSettings({ triggers: ['human'], notifyUrl: 'https://crm.example.com/hooks/handoff' });
    lost.notifier.failures.push(new ReplySendError('answer lost', false, { reason: 'send_outcome_unknown' }));
    const asking = { ...lost.first, content: { type: 'text' as const, body: 'human please' } };
    expect(await lost.useCase.execute(asking)).toMatchObject({ state: 'sent' });
    expect(await lost.h.stored(asking)).toMatchObject({ handoffRequest: { notice: { state: 'unknown', reason: 'send_outcome_unknown' } } });
    expect(lost.h.channel.sent.at(-1)!.reply.text).toBe(HANDOFF_TEXT);

    // A sender that claimed the notice and died: once its lease is gone the notice is unknown, and the reply still goes out.
    const died = await withHandoffSettings({ triggers: ['human'], notifyUrl: 'https://crm.example.com/hooks/handoff' });
    const message = { ...died.first, content: { type: 'text' as const, body: 'human please' } };
    const { record } = await died.h.store.register(message, died.h.clock.now());
    await died.h.store.transition(message.conversationId, message.id, record.version, {
      state: 'answered',
      reply: { text: HANDOFF_TEXT, kind: 'handoff', usage: { prompt: 0, completion: 0 }, costUsd: 0, latencyMs: 1, createdAt: died.h.clock.now() },
      handoffRequest: { by: 'trigger', notice: { state: 'sending', at: died.h.clock.now() } },
    });
    died.h.clock.advance(died.h.policy.leaseMs + 1);
    expect(await died.useCase.execute(message)).toMatchObject({ state: 'sent' });
    expect(died.notifier.notices).toHaveLength(0);
    expect(await died.h.stored(message)).toMatchObject({ handoffRequest: { notice: { state: 'unknown' } } });
  });
});
