import { describe, expect, it } from 'vitest';
import { newAgentReply } from '../../../src/domain/model/agent-reply.js';
import { ChangeHandoff } from '../../../src/domain/use-cases/change-handoff.js';
import { agentTurnText } from '../../../src/domain/use-cases/build-turns.js';
import { replyHarness } from '../../support/reply-harness.js';

describe('the worker while a person holds a conversation', () => {
  it('stores and marks read a message that arrives after the take-over, and never calls the model', async () => {
    const h = replyHarness();
    const first = h.message({ text: 'hello bot' });
    await h.useCase.execute(first);
    const handoff = new ChangeHandoff(h.store, h.bus, h.clock);
    await handoff.execute(first.conversationId, { kind: 'take', agent: 'Grace' });
    h.clock.advance(1000);
    const second = h.message({ participant: first.participant, accountId: first.accountId, text: 'are you a person?' });

    const outcome = await h.useCase.execute(second);

    expect(outcome).toMatchObject({ state: 'skipped', reason: 'human_mode' });
    expect(h.model.calls).toBe(1);
    expect(h.channel.sent).toHaveLength(1);
    expect(h.channel.readOnly).toEqual([second.id]);
    expect(h.channel.acknowledged).toEqual([first.id]);
    expect(await h.stored(second)).toMatchObject({ state: 'skipped', note: 'human_mode', recorded: true });
    const facts = await h.published();
    expect(facts.filter((f) => f.type === 'message' && f.messageId === second.id)).toEqual([expect.objectContaining({ outcome: 'skipped', messageType: 'text' })]);
    expect(facts.filter((f) => f.type === 'mode')).toEqual([expect.objectContaining({ mode: 'human', conversationId: first.conversationId })]);
  });

  it('answers again once handed back, with what the person said in the history as a marked assistant turn', async () => {
    const h = replyHarness();
    const first = h.message({ text: 'I need a refund' });
    const handoff = new ChangeHandoff(h.store, h.bus, h.clock);
    await h.store.register(first, h.clock.now());
    await handoff.execute(first.conversationId, { kind: 'take', agent: 'Grace' });
    await h.useCase.execute(first);
    const said = newAgentReply({ id: 'ar_1', conversationId: first.conversationId, inReplyTo: first.id, agent: 'Grace', text: 'Refunded, 20 EUR.', createdAt: h.clock.now() });
    await h.store.addAgentReply({ ...said, state: 'sent', outboundIds: ['out.1'] });
    await h.store.addAgentReply({ ...said, id: 'ar_2', text: 'never sent', state: 'failed' });
    h.clock.advance(5000);
    await handoff.execute(first.conversationId, { kind: 'release' });
    const next = h.message({ participant: first.participant, accountId: first.accountId, text: 'thanks! how long will it take?' });

    expect(await h.useCase.execute(next)).toMatchObject({ state: 'sent' });

    expect(h.model.calls).toBe(1);
    expect(h.model.requests[0]!.turns).toEqual([
      { role: 'user', content: 'I need a refund' },
      { role: 'assistant', content: agentTurnText({ agent: 'Grace', text: 'Refunded, 20 EUR.' }) },
      { role: 'user', content: 'thanks! how long will it take?' },
    ]);
    expect(agentTurnText({ agent: 'Grace', text: 'x' })).toContain('a person');
  });

  it('lets a message claimed before the take-over be answered by the bot, and the next one by nobody but the person', async () => {
    const h = replyHarness();
    const first = h.message({ text: 'first' });
    const { record } = await h.store.register(first, h.clock.now());
    // The bot claimed it just before the switch: the bot answers it.
    await h.store.claim(first.conversationId, first.id, record.version, {
      bot: { state: 'generating', leaseUntil: h.clock.now() + 30_000, attempts: 1 },
      human: { state: 'skipped', note: 'human_mode' },
    });
    await new ChangeHandoff(h.store, h.bus, h.clock).execute(first.conversationId, { kind: 'take', agent: 'Grace' });
    h.clock.advance(31_000);
    // Its lease ran out (the worker died): the retry reads the mode again and leaves it to the person.
    expect(await h.useCase.execute(first)).toMatchObject({ state: 'skipped', reason: 'human_mode' });
    expect(h.model.calls).toBe(0);
  });

  it('asks no model and sends no limit reply for a person-held conversation over its rate limit', async () => {
    const h = replyHarness({ ratePerMinute: 1 });
    const first = h.message({ text: 'one' });
    await h.useCase.execute(first);
    await new ChangeHandoff(h.store, h.bus, h.clock).execute(first.conversationId, { kind: 'take', agent: 'Grace' });
    for (let i = 0; i < 3; i++) {
      h.clock.advance(100);
      const more = h.message({ participant: first.participant, accountId: first.accountId, text: `more ${i}` });
      expect(await h.useCase.execute(more)).toMatchObject({ state: 'skipped', reason: 'human_mode' });
    }
    expect(h.channel.sent).toHaveLength(1);
  });
});
