import { describe, expect, it } from 'vitest';
import { splitReply } from '../../../src/domain/model/split-reply.js';

const WHATSAPP_MAX = 4096;

const WORDS = ['opening', 'hours', 'delivery', 'Sunday', 'price', 'order', 'café', 'größe', 'tomorrow', 'straße', 'ticket', 'refund', 'a', 'we', 'naïve'];

/** Deterministic prose: sentences of 6–17 words, each ending with `.`, `!` or `?`, separated by one space. */
function prose(length: number, seed = 1): string {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % n;
  };
  const sentences: string[] = [];
  let total = 0;
  while (total < length) {
    const words = Array.from({ length: 6 + next(12) }, (_, i) => `${WORDS[next(WORDS.length)]}${i === 0 ? next(100) : ''}`);
    words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
    const sentence = `${words.join(' ')}${['.', '!', '?'][next(3)]}`;
    sentences.push(sentence);
    total += sentence.length + 1;
  }
  return sentences.join(' ').slice(0, length).trimEnd();
}

/** The text up to and including its last sentence mark. */
const wholeSentences = (text: string) => text.slice(0, text.search(/[.!?][^.!?]*$/) + 1);

/** Every part appears in the original, in order, with only whitespace between consecutive parts. */
function expectPartsCoverInOrder(text: string, parts: string[]): void {
  let from = 0;
  for (const part of parts) {
    const at = text.indexOf(part, from);
    expect(at, `part starting "${part.slice(0, 30)}" is found in order`).toBeGreaterThanOrEqual(from);
    expect(text.slice(from, at)).toMatch(/^\s*$/);
    from = at + part.length;
  }
  expect(text.slice(from)).toMatch(/^\s*$/);
}

const wordsOf = (text: string) => text.split(/\s+/).filter(Boolean);

describe('splitReply', () => {
  it('splits a 10,000-character reply into 3 ordered parts of at most 4096 that keep every word in order', () => {
    const text = prose(10_000);
    expect(text).toHaveLength(10_000);

    const parts = splitReply(text, WHATSAPP_MAX);

    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.length).toBeGreaterThan(0);
      expect(part.length).toBeLessThanOrEqual(WHATSAPP_MAX);
      expect(part).toBe(part.trim());
    }
    expect(wordsOf(parts.join(' '))).toEqual(wordsOf(text));
    expectPartsCoverInOrder(text, parts);
    // The parts are cut at sentence ends, so each but the last ends a sentence.
    for (const part of parts.slice(0, -1)) expect(part).toMatch(/[.!?]$/);
  });

  it('cuts at the paragraph break rather than at a later sentence end or space when the first paragraph fits', () => {
    const first = prose(3_000, 2);
    const second = prose(3_000, 3);
    const text = `${first}\n\n${second}`;

    const parts = splitReply(text, WHATSAPP_MAX);

    expect(parts).toEqual([first, second]);
    expect(parts.join('\n\n')).toBe(text);
  });

  it('cuts at a line break rather than at a later sentence end when no paragraph break fits', () => {
    const first = prose(3_000, 4);
    const second = prose(3_000, 5);

    const parts = splitReply(`${first}\n${second}`, WHATSAPP_MAX);

    expect(parts).toEqual([first, second]);
  });

  it('cuts after the last sentence end that fits rather than at a later space, keeping the mark with its sentence', () => {
    const sentences = wholeSentences(prose(3_600, 6));
    expect(sentences.length).toBeGreaterThan(WHATSAPP_MAX / 2);
    const run = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    const text = `${sentences} ${run}`;

    const parts = splitReply(text, WHATSAPP_MAX);

    expect(parts).toEqual([sentences, run]);
  });

  it('keeps a closing quote with the sentence it ends', () => {
    const sentences = `${wholeSentences(prose(3_000, 7))} She said "see you tomorrow!"`;
    const run = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');

    const parts = splitReply(`${sentences} ${run}`, WHATSAPP_MAX);

    expect(parts).toEqual([sentences, run]);
  });

  it('cuts between words when the text has no sentence ends or line breaks', () => {
    const words = Array.from({ length: 2_000 }, (_, i) => `w${i}`);
    const text = words.join(' ');

    const parts = splitReply(text, WHATSAPP_MAX);

    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(WHATSAPP_MAX);
    // No word is cut: the parts rejoined with single spaces are the text.
    expect(parts.join(' ')).toBe(text);
    // Parts are filled up to the last space that fits.
    const longest = Math.max(...words.map((w) => w.length));
    for (const part of parts.slice(0, -1)) expect(part.length).toBeGreaterThanOrEqual(WHATSAPP_MAX - longest - 1);
  });

  it('does not cut at an early paragraph break that would leave a part less than half full', () => {
    const text = `Hi!\n\n${prose(6_000, 8)}`;

    const parts = splitReply(text, WHATSAPP_MAX);

    expect(parts[0]!.length).toBeGreaterThanOrEqual(WHATSAPP_MAX / 2);
    expect(wordsOf(parts.join(' '))).toEqual(wordsOf(text));
  });

  it('never cuts a surrogate pair when the text is only emoji', () => {
    const text = '😀'.repeat(5_000);

    const parts = splitReply(text, WHATSAPP_MAX);

    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(WHATSAPP_MAX);
      expect(part.isWellFormed()).toBe(true);
    }
    expect(parts.join('')).toBe(text);
  });

  it('never cuts a surrogate pair when the limit falls in the middle of one', () => {
    // One leading unit shifts every pair: the 4096th unit is a high surrogate.
    const text = `x${'🎉'.repeat(5_000)}`;

    const parts = splitReply(text, WHATSAPP_MAX);

    expect(parts[0]).toHaveLength(WHATSAPP_MAX - 1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(WHATSAPP_MAX);
      expect(part.isWellFormed()).toBe(true);
    }
    expect(parts.join('')).toBe(text);
  });

  it('returns the text as one part when it is at most the limit', () => {
    const exactly = prose(WHATSAPP_MAX, 9).padEnd(WHATSAPP_MAX, '!');
    expect(exactly).toHaveLength(WHATSAPP_MAX);

    expect(splitReply(exactly, WHATSAPP_MAX)).toEqual([exactly]);
    expect(splitReply('Yes, from 10 to 16 h. ☀️', WHATSAPP_MAX)).toEqual(['Yes, from 10 to 16 h. ☀️']);
    expect(splitReply('  padded reply \n', WHATSAPP_MAX)).toEqual(['padded reply']);
  });

  it('returns no parts when the text is empty or only whitespace', () => {
    expect(splitReply('', WHATSAPP_MAX)).toEqual([]);
    expect(splitReply(' \n\n\t  \n', WHATSAPP_MAX)).toEqual([]);
  });

  it('rejects a limit below 2, which could not hold a surrogate pair', () => {
    expect(() => splitReply('hello', 1)).toThrow(RangeError);
  });
});
