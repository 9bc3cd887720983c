import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { encodingModule, GptTokenCounter } from '../../src/adapters/openai/gpt-token-counter.js';
import { tokenCounterContract } from './token-counter.contract.js';

// One implementation, two encodings: o200k_base (GPT-4o and later, other vendors) and cl100k_base (GPT-4, GPT-3.5).
const [o200k, cl100k, standIn] = ['gpt-4o-mini', 'gpt-4', 'llama3.2'].map((model) => GptTokenCounter.forModel(model));
tokenCounterContract('GptTokenCounter (gpt-4o-mini: o200k_base)', () => o200k!);
tokenCounterContract('GptTokenCounter (gpt-4: cl100k_base)', () => cl100k!);
tokenCounterContract('GptTokenCounter (llama3.2: o200k_base as the closest stand-in)', () => standIn!);

describe('GptTokenCounter encodings', () => {
  it('counts a text differently with the two encodings, each the one of its model family', () => {
    expect([o200k!.encoding, cl100k!.encoding, standIn!.encoding]).toEqual(['o200k_base', 'cl100k_base', 'o200k_base']);
    // "cl100k_base" and "o200k_base" split this German compound differently.
    const text = 'Donaudampfschifffahrtsgesellschaftskapitän und 👩‍👩‍👧‍👦';
    expect(o200k!.count(text)).not.toBe(cl100k!.count(text));
  });
});

describe('GptTokenCounter loading', () => {
  it('loads its encoding only at its first count: a worker whose prompts fit by their bytes never holds its tables', () => {
    const require = createRequire(import.meta.url);
    const module = require.resolve(encodingModule('cl100k_base'));
    // As in a process that has not counted yet (the counters above loaded it).
    delete require.cache[module];
    const counter = GptTokenCounter.forModel('gpt-3.5-turbo');
    expect(counter.encoding).toBe('cl100k_base');
    expect(module in require.cache).toBe(false);

    expect(counter.count('hello world')).toBe(2);
    expect(module in require.cache).toBe(true);
  });
});
