import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryChatStore } from '../../../src/adapters/memory/in-memory-chat-store.js';
import type { ToolCallRecord, ToolRound } from '../../../src/domain/model/tool-call.js';
import { ConversationNotFoundError, GetTranscript } from '../../../src/domain/use-cases/get-transcript.js';
import { aMessage } from '../../support/builders.js';

describe('GetTranscript', () => {
  it('returns the conversation and its messages oldest first when the conversation exists', async () => {
    const store = new InMemoryChatStore();
    const first = aMessage({ receivedAt: 1000, text: 'first' });
    const second = aMessage({ participant: first.participant, receivedAt: 2000, text: 'second' });
    await store.register(second, 2000);
    await store.register(first, 2001);

    const transcript = await new GetTranscript(store).page(first.conversationId, { limit: 50 });

    expect(transcript.conversation).toMatchObject({ id: first.conversationId, messageCount: 2 });
    expect(transcript.messages.map((r) => r.message.id)).toEqual([first.id, second.id]);
    expect(transcript.next).toBeNull();
  });

  it('ends a page at its limit and says where the next begins when the conversation is longer', async () => {
    const store = new InMemoryChatStore();
    const first = aMessage({ receivedAt: 1000, text: 'first' });
    const second = aMessage({ participant: first.participant, receivedAt: 2000, text: 'second' });
    await store.register(first, 1000);
    await store.register(second, 2000);

    const transcript = await new GetTranscript(store).page(first.conversationId, { limit: 1 });

    expect(transcript.messages.map((r) => r.message.id)).toEqual([first.id]);
    expect(transcript.next).toMatchObject({ id: first.id });
    const rest = await new GetTranscript(store).page(first.conversationId, { after: transcript.next!, limit: 1 });
    expect(rest.messages.map((r) => r.message.id)).toEqual([second.id]);
    expect(rest.next).toBeNull();
  });

  it('lists the tool calls of each message of the page, in the order the rounds asked for them, each naming its message', async () => {
    const store = new InMemoryChatStore();
    const asked = aMessage({ receivedAt: 1000, text: 'Where is order 123456?' });
    const plain = aMessage({ participant: asked.participant, receivedAt: 2000, text: 'Thanks' });
    const { record } = await store.register(asked, 1000);
    await store.register(plain, 2000);
    const usage = { prompt: 10, completion: 2 };
    const status: ToolCallRecord = { callId: 'tc_1', modelCallId: 'call_a', name: 'order_status', arguments: { orderNumber: '123456' }, state: 'ok', startedAt: 1100, latencyMs: 40, answer: '{"status":"shipped"}' };
    const lost: ToolCallRecord = { callId: 'tc_2', modelCallId: 'call_b', name: 'refund', arguments: '{"order', state: 'unknown', startedAt: 1200, reason: 'tool_outcome_unknown' };
    const never: ToolCallRecord = { callId: 'tc_3', modelCallId: 'call_c', name: 'nope', arguments: {}, state: 'invalid', startedAt: 1300, reason: 'tool_unknown' };
    const toolRounds: ToolRound[] = [
      { model: 'gpt-4o-mini', usage, text: '', calls: [status, lost] },
      { model: 'gpt-4o-mini', usage, text: '', calls: [never] },
    ];
    await store.transition(asked.conversationId, asked.id, record.version, { toolRounds });

    const transcript = await new GetTranscript(store).page(asked.conversationId, { limit: 50 });

    expect(transcript.toolCalls).toEqual([
      { messageId: asked.id, callId: 'tc_1', tool: 'order_status', arguments: { orderNumber: '123456' }, state: 'ok', answer: '{"status":"shipped"}', latencyMs: 40, at: 1100 },
      { messageId: asked.id, callId: 'tc_2', tool: 'refund', arguments: '{"order', state: 'unknown', reason: 'tool_outcome_unknown', at: 1200 },
      { messageId: asked.id, callId: 'tc_3', tool: 'nope', arguments: {}, state: 'invalid', reason: 'tool_unknown', at: 1300 },
    ]);
    const later = await new GetTranscript(store).page(asked.conversationId, { after: { receivedAt: 1000, sentAt: asked.sentAt, id: asked.id }, limit: 50 });
    expect(later.messages.map((r) => r.message.id)).toEqual([plain.id]);
    expect(later.toolCalls).toEqual([]);
  });

  it('rejects with ConversationNotFoundError when the conversation does not exist', async () => {
    const useCase = new GetTranscript(new InMemoryChatStore());
    await expect(useCase.page(`c_${randomUUID()}`, { limit: 50 })).rejects.toMatchObject({ constructor: ConversationNotFoundError, code: 'conversation_not_found', retryable: false });
  });
});
