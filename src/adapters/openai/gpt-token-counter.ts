import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import type { TokenCounter } from '../../domain/ports/token-counter.js';

/**
 * Tokens by OpenAI's byte-pair encodings: `o200k_base` for the GPT-4o/4.1/5 and o-series families
 * (and as the closest available stand-in for other vendors' models), `cl100k_base` for GPT-4 and
 * GPT-3.5.
 */
export class GptTokenCounter implements TokenCounter {
  private readonly countWith: (text: string) => number;

  constructor(model: string) {
    this.countWith = /^(gpt-4(?!o|\.)|gpt-4-|gpt-3\.5|text-embedding-3|text-embedding-ada)/.test(model) ? countCl100k : countO200k;
  }

  count(text: string): number {
    return this.countWith(text);
  }
}
