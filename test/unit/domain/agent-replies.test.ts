import { describe, expect, it } from 'vitest';
import { AgentReplyRefusedError, ValidationError } from '../../../src/domain/model/errors.js';
import type { InboundEvent } from '../../../src/domain/model/events.js';
import { AcceptAgentReply, SERVICE_WINDOW_MS } from '../../../src/domain/use-cases/accept-agent-reply.js';
import { ChangeHandoff } from '../../../src/domain/use-cases/change-handoff.js';
import { SendAgentReply } from '../../../src/domain/use-cases/send-agent-reply.js';
import { replyHarness } from '../../support/reply-harness.js';

/** A conversation a person (Grace) took over, with the agent reply use cases on the harness's store, bus and channel. */
async function takenOver(options: { text?: string } = {}) {
  const h = replyHarness();
  const inbound: InboundEvent[] = [];
  h.bus.subscribe('inbound', async ({ event }) => {
    inbound.push(event);
  });
  const first = h.message({ text: options.text ?? 'I want to talk to someone' });
  await h.useCase.execute(first);
  await new ChangeHandoff(h.store, h.bus, h.clock).execute(first.conversationId, { kind: 'take', agent: 'Grace' });
  const accept = new AcceptAgentReply(h.store, h.bus, h.clock);
  const send = new SendAgentReply(h.store, h.channel, h.bus, h.clock, h.policy);
  const published = async () => {
    await h.bus.idle();
    return inbound.filter((e) => e.kind === 'agent-reply');
  };
  return { h, first, accept, send, published, conversationId: first.conversationId };
}

describe('AcceptAgentReply', () => {
  it('stores a reply once per idempotency key and hands it to the worker on the conversation\'s stream', async () => {
    const { accept, published, conversationId, first } = await takenOver();

    const one = await accept.execute({ conversationId, idempotencyKey: 'k-1', text: 'Hi, Grace here.' });
    const again = await accept.execute({ conversationId, idempotencyKey: 'k-1', text: 'Hi, Grace here.' });

    expect(one).toMatchObject({ created: true, reply: { agent: 'Grace', text: 'Hi, Grace here.', state: 'queued', inReplyTo: first.id } });
    expect(again).toEqual({ created: false, reply: one.reply });
    // Published while it waits: the retry completes a publish that may have been lost.
    expect(await published()).toEqual([
      { kind: 'agent-reply', conversationId, replyId: one.reply.id },
      { kind: 'agent-reply', conversationId, replyId: one.reply.id },
    ]);
    const other = await accept.execute({ conversationId, idempotencyKey: 'k-2', text: 'Hi, Grace here.', agent: 'Ada' });
    expect(other.reply.id).not.toBe(one.reply.id);
    expect(other.reply.agent).toBe('Ada');
  });

  it('refuses a reused key with another text, a bot-held conversation, and bad input, storing nothing', async () => {
    const { h, accept, published, conversationId } = await takenOver();
    await accept.execute({ conversationId, idempotencyKey: 'k-1', text: 'first' });

    await expect(accept.execute({ conversationId, idempotencyKey: 'k-1', text: 'second' })).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    await expect(accept.execute({ conversationId, idempotencyKey: 'k-3', text: '  ' })).rejects.toBeInstanceOf(ValidationError);
    await expect(accept.execute({ conversationId, idempotencyKey: 'k 3', text: 'x' })).rejects.toBeInstanceOf(ValidationError);
    await expect(accept.execute({ conversationId, idempotencyKey: 'k-4', text: 'x'.repeat(4097) })).rejects.toBeInstanceOf(ValidationError);
    await expect(accept.execute({ conversationId: 'c_nobody', idempotencyKey: 'k-5', text: 'x' })).rejects.toMatchObject({ code: 'conversation_not_found' });
    await new ChangeHandoff(h.store, h.bus, h.clock).execute(conversationId, { kind: 'release' });
    await expect(accept.execute({ conversationId, idempotencyKey: 'k-6', text: 'x' })).rejects.toMatchObject({ code: 'conversation_not_taken_over' });

    expect(await h.store.agentReplies(conversationId, { limit: 10 })).toHaveLength(1);
    expect(await published()).toHaveLength(1);
  });

  it('allows WhatsApp free text only within 24 hours of the person\'s last message, and the window template after', async () => {
    const { h, accept, conversationId } = await takenOver();
    h.clock.advance(SERVICE_WINDOW_MS);

    const refused = accept.execute({ conversationId, idempotencyKey: 'late', text: 'are you still there?' });
    await expect(refused).rejects.toBeInstanceOf(AgentReplyRefusedError);
    await expect(refused).rejects.toMatchObject({ code: 'outside_service_window' });
    await expect(accept.execute({ conversationId, idempotencyKey: 'tpl', template: true })).rejects.toMatchObject({ code: 'no_window_template' });

    const first = (await h.store.messages(conversationId, { limit: 1 }))[0]!.message;
    await h.store.saveChannelSettings({ accountId: first.accountId, windowTemplate: { name: 'follow_up', language: 'en' }, updatedAt: h.clock.now() });
    const { reply } = await accept.execute({ conversationId, idempotencyKey: 'tpl', template: true });
    expect(reply).toMatchObject({ template: { name: 'follow_up', language: 'en' }, text: 'follow_up', state: 'queued' });
  });
});

describe('SendAgentReply', () => {
  it('sends a reply once, however often it is delivered, and publishes its fact once sent', async () => {
    const { h, accept, send, conversationId, first } = await takenOver();
    const { reply } = await accept.execute({ conversationId, idempotencyKey: 'k', text: 'Your order ships today.' });

    expect(await send.execute(conversationId, reply.id)).toEqual({ state: 'sent', firstDelivery: true });
    expect(await send.execute(conversationId, reply.id)).toEqual({ state: 'sent', firstDelivery: false });

    const sends = h.channel.sent.filter((s) => s.reply.text === 'Your order ships today.');
    expect(sends).toHaveLength(1);
    expect(sends[0]!.reply.inReplyTo.id).toBe(first.id);
    expect(await h.store.findAgentReply(conversationId, reply.id)).toMatchObject({ state: 'sent', outboundIds: sends[0]!.outboundIds, recorded: true });
    const facts = (await h.published()).filter((f) => f.type === 'agent-reply');
    expect(facts).toEqual([expect.objectContaining({ type: 'agent-reply', replyId: reply.id, outcome: 'sent', conversationId, eventId: `agent-reply:${conversationId}:${reply.id}` })]);
  });

  it('never sends again a reply whose sender died after claiming it: once the lease is gone it is unknown', async () => {
    const { h, accept, send, conversationId } = await takenOver();
    const { reply } = await accept.execute({ conversationId, idempotencyKey: 'k', text: 'sent before the crash?' });
    // A worker claimed it and died (before or after the send: nobody knows).
    await h.store.transitionAgentReply(conversationId, reply.id, reply.version, { state: 'sending', leaseUntil: h.clock.now() + h.policy.leaseMs });

    await expect(send.execute(conversationId, reply.id)).rejects.toMatchObject({ code: 'message_in_progress' });
    h.clock.advance(h.policy.leaseMs + 1);
    expect(await send.execute(conversationId, reply.id)).toEqual({ state: 'send-unknown', firstDelivery: true });

    expect(h.channel.attempts.filter((a) => a.text === 'sent before the crash?')).toHaveLength(0);
    expect((await h.published()).filter((f) => f.type === 'agent-reply')).toEqual([expect.objectContaining({ outcome: 'send-unknown', failureReason: 'send_outcome_unknown' })]);
  });

  it('reports a send whose answer was lost as unknown and retries only what provably never left', async () => {
    const { h, accept, send, conversationId } = await takenOver();
    const lost = (await accept.execute({ conversationId, idempotencyKey: 'lost', text: 'lost answer' })).reply;
    const refused = (await accept.execute({ conversationId, idempotencyKey: 'refused', text: 'refused first' })).reply;

    h.channel.failNext(1, false, 'send_outcome_unknown');
    expect(await send.execute(conversationId, lost.id)).toMatchObject({ state: 'send-unknown' });
    await send.execute(conversationId, lost.id);
    h.channel.failNext(1, true, 'whatsapp_unreachable');
    await expect(send.execute(conversationId, refused.id)).rejects.toMatchObject({ reason: 'whatsapp_unreachable' });
    expect(await h.store.findAgentReply(conversationId, refused.id)).toMatchObject({ state: 'queued', sendAttempts: 1, failureReason: 'whatsapp_unreachable' });
    expect(await send.execute(conversationId, refused.id)).toMatchObject({ state: 'sent' });

    expect(h.channel.attempts.map((a) => a.text)).toEqual(expect.arrayContaining(['lost answer', 'refused first', 'refused first']));
    expect(h.channel.attempts.filter((a) => a.text === 'lost answer')).toHaveLength(1);
    expect(h.channel.sent.filter((s) => s.reply.text === 'refused first')).toHaveLength(1);
  });

  it('sends the window template through the channel\'s template send', async () => {
    const { h, accept, send, conversationId } = await takenOver();
    const first = (await h.store.messages(conversationId, { limit: 1 }))[0]!.message;
    await h.store.saveChannelSettings({ accountId: first.accountId, windowTemplate: { name: 'follow_up', language: 'en' }, updatedAt: h.clock.now() });
    const { reply } = await accept.execute({ conversationId, idempotencyKey: 'tpl', template: true });

    expect(await send.execute(conversationId, reply.id)).toMatchObject({ state: 'sent' });
    expect(h.channel.templates).toEqual([{ inReplyTo: first.id, template: { name: 'follow_up', language: 'en' } }]);
  });
});
