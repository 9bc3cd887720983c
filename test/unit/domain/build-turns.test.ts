import { describe, expect, it } from 'vitest';
import { newRecord, type MessageRecord } from '../../../src/domain/model/message-record.js';
import type { MessageContent } from '../../../src/domain/model/message.js';
import { buildTurns } from '../../../src/domain/use-cases/build-turns.js';
import { aMessage } from '../../support/builders.js';

const exchange = (content: MessageContent, replyText?: string): MessageRecord => ({
  ...newRecord(aMessage({ content }), 0),
  ...(replyText ? { reply: { text: replyText, kind: 'ai' as const, usage: { prompt: 0, completion: 0 }, costUsd: 0, latencyMs: 0, createdAt: 0 } } : {}),
});

describe('buildTurns', () => {
  it('alternates user and assistant turns and ends with the prompt when there is history', () => {
    const turns = buildTurns(
      [exchange({ type: 'text', body: 'hi' }, 'hello!'), exchange({ type: 'reaction', messageId: 'w', emoji: '👍' }), exchange({ type: 'text', body: 'still there?' })],
      'now?',
    );
    expect(turns).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello!' },
      { role: 'user', content: 'still there?' },
      { role: 'user', content: 'now?' },
    ]);
  });

  it('leaves out a message folded into an earlier reply, whose prompt that reply carries, when it is in the history', () => {
    const first = { ...exchange({ type: 'text', body: 'hi' }, 'hello to both!'), folded: ['and you?'] };
    const folded: MessageRecord = { ...exchange({ type: 'text', body: 'and you?' }), state: 'skipped', note: 'folded', foldedInto: first.message.id };

    expect(buildTurns([first, folded], 'next')).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'user', content: 'and you?' },
      { role: 'assistant', content: 'hello to both!' },
      { role: 'user', content: 'next' },
    ]);
  });

  it('is only the prompt when there is no history', () => {
    expect(buildTurns([], 'first')).toEqual([{ role: 'user', content: 'first' }]);
  });
});
