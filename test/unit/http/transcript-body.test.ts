import { describe, expect, it } from 'vitest';
import { newRecord, type MessageRecord } from '../../../src/domain/model/message-record.js';
import { ValidationError } from '../../../src/domain/model/errors.js';
import { decodeTranscriptCursor, encodeTranscriptCursor, transcriptBody } from '../../../src/http/api/transcript-body.js';
import { aMessage } from '../../support/builders.js';

const conversation = { id: 'c_1', channel: 'whatsapp' as const, accountId: 'acct', participant: { id: '4915' }, createdAt: 0, lastMessageAt: 0, messageCount: 1 };
const entryOf = (fields: Partial<MessageRecord>) => transcriptBody({ conversation, messages: [{ ...newRecord(aMessage(), 0), ...fields }], agentReplies: [], toolCalls: [], next: null }).messages[0]!;

describe('transcript cursors', () => {
  it('round-trips a position, and refuses what this API did not make', () => {
    const position = { receivedAt: 1_764_000_000_123, sentAt: 1_764_000_000_000, id: 'wamid.HBg=,"x"' };
    expect(decodeTranscriptCursor(encodeTranscriptCursor(position))).toEqual(position);
    for (const bad of ['garbage!!', Buffer.from('[1,2]').toString('base64url'), Buffer.from('[1,"2","x"]').toString('base64url'), Buffer.from('[1,2,""]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
      expect(() => decodeTranscriptCursor(bad), bad).toThrow(ValidationError);
    }
  });
});

describe('transcriptBody', () => {
  it('names who wrote each part: the customer, and the bot in its reply', () => {
    const entry = entryOf({ state: 'sent', reply: { text: 'Hi', kind: 'ai', usage: { prompt: 1, completion: 1 }, costUsd: 0, latencyMs: 1, createdAt: 0 } });
    expect(entry.role).toBe('user');
    expect(entry.reply?.role).toBe('assistant');
  });

  it('shows the tool calls of a message (role tool) between the message and its reply, with nulls for what a call lacks', () => {
    const record = { ...newRecord(aMessage(), 0), state: 'sent' as const };
    const page = {
      conversation,
      messages: [record],
      agentReplies: [],
      toolCalls: [
        { messageId: record.message.id, callId: 'tc_1', tool: 'order_status', arguments: { orderNumber: '1' }, state: 'ok' as const, answer: '{"a":1}', latencyMs: 40, at: 1_764_000_000_000 },
        { messageId: record.message.id, callId: 'tc_2', tool: 'refund', arguments: {}, state: 'failed' as const, reason: 'tool_http_503' as const, latencyMs: 9, at: 1_764_000_000_100 },
        { messageId: 'another message', callId: 'tc_3', tool: 'refund', arguments: {}, state: 'calling' as const, at: 0 },
      ],
      next: null,
    };
    const entry = transcriptBody(page).messages[0]!;
    expect(entry.toolCalls).toEqual([
      { role: 'tool', tool: 'order_status', callId: 'tc_1', arguments: { orderNumber: '1' }, state: 'ok', answer: '{"a":1}', reason: null, latencyMs: 40, at: '2025-11-24T16:00:00.000Z' },
      { role: 'tool', tool: 'refund', callId: 'tc_2', arguments: {}, state: 'failed', answer: null, reason: 'tool_http_503', latencyMs: 9, at: '2025-11-24T16:00:00.100Z' },
    ]);
    const keys = Object.keys(entry);
    expect(keys.indexOf('toolCalls')).toBeLessThan(keys.indexOf('reply'));
  });

  it('shows a folded message with note folded and the message whose reply answered it', () => {
    expect(entryOf({ state: 'skipped', note: 'folded', foldedInto: 'wamid.first' })).toMatchObject({ note: 'folded', foldedInto: 'wamid.first', templateFallback: null });
  });

  it('shows the window template sent instead of a refused reply, with no note', () => {
    expect(entryOf({ state: 'sent', templateFallback: 'reengage_hello' })).toMatchObject({ note: null, foldedInto: null, templateFallback: 'reengage_hello' });
  });

  it.each([
    ['whatsapp_sending_not_configured', 'whatsapp_sending_not_configured (set WHATSAPP_ACCESS_TOKEN)'],
    ['api_channel_not_configured', 'api_channel_not_configured (set API_CALLBACK_SECRET)'],
    ['no_callback_url', 'no_callback_url'],
  ] as const)('shows the unsent note %s as %s', (note, shown) => {
    expect(entryOf({ state: 'unsent', note }).note).toBe(shown);
  });
});
