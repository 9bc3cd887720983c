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

describe('buildTurns within a token budget', () => {
  const history = [exchange({ type: 'text', body: 'first question' }, 'first answer'), exchange({ type: 'text', body: 'second question' }, 'second answer'), exchange({ type: 'text', body: 'third question' }, 'third answer')];
  const bytesOf = (texts: string[]) => texts.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8') + 4, 0);
  // A counter within the port's promise (never more than the UTF-8 bytes): a token per 4 bytes.
  const quarterCounter = () => {
    const counted: string[] = [];
    return { counted, count: (text: string) => (counted.push(text), Math.ceil(Buffer.byteLength(text, 'utf8') / 4)) };
  };
  const everything = ['sys', 'first question', 'first answer', 'second question', 'second answer', 'third question', 'third answer', 'now?'];

  it('counts nothing when the whole prompt fits the budget by its UTF-8 bytes, and keeps every exchange', () => {
    const counter = { count: (): number => { throw new Error('counted'); } };
    const turns = buildTurns(history, 'now?', { tokens: bytesOf(everything), systemPrompt: 'sys', counter });
    expect(turns.map((turn) => turn.content)).toEqual(everything.slice(1));
  });

  it('counts when the bytes do not fit, and keeps every exchange the tokens allow', () => {
    const counter = quarterCounter();
    const turns = buildTurns(history, 'now?', { tokens: bytesOf(everything) - 1, systemPrompt: 'sys', counter });
    expect(turns.map((turn) => turn.content)).toEqual(everything.slice(1));
    expect(counter.counted.length).toBeGreaterThan(0);
  });

  it('keeps only the newest whole exchanges the counted tokens allow', () => {
    const counter = quarterCounter();
    const tokens = (texts: string[]) => texts.reduce((sum, text) => sum + Math.ceil(Buffer.byteLength(text, 'utf8') / 4) + 4, 0);
    // The system prompt, the prompt and the two newest exchanges, one token short of the oldest.
    const budget = tokens(['sys', 'now?', 'second question', 'second answer', 'third question', 'third answer']) + 1;
    const turns = buildTurns(history, 'now?', { tokens: budget, systemPrompt: 'sys', counter });
    expect(turns.map((turn) => turn.content)).toEqual(['second question', 'second answer', 'third question', 'third answer', 'now?']);
  });
});
