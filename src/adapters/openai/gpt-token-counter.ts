import type { TokenCounter } from '../../domain/ports/token-counter.js';

export type GptEncoding = 'cl100k_base' | 'o200k_base';

/**
 * OpenAI's byte-pair encoding of a model: `o200k_base` for the GPT-4o/4.1/5 and o-series families
 * (and as the closest available stand-in for other vendors' models), `cl100k_base` for GPT-4 and
 * GPT-3.5.
 */
export function encodingOf(model: string): GptEncoding {
  return /^(gpt-4(?!o|\.)|gpt-4-|gpt-3\.5|text-embedding-3|text-embedding-ada)/.test(model) ? 'cl100k_base' : 'o200k_base';
}

/**
 * Tokens by the encoding of one model. Only that encoding is loaded: each one's rank tables take
 * tens of MB of a process's memory (cl100k_base about 40, o200k_base about 65 with both).
 */
export class GptTokenCounter implements TokenCounter {
  private constructor(
    readonly encoding: GptEncoding,
    private readonly countWith: (text: string) => number,
  ) {}

  static async forModel(model: string): Promise<GptTokenCounter> {
    const encoding = encodingOf(model);
    const { countTokens } = encoding === 'cl100k_base' ? await import('gpt-tokenizer/encoding/cl100k_base') : await import('gpt-tokenizer/encoding/o200k_base');
    return new GptTokenCounter(encoding, countTokens);
  }

  count(text: string): number {
    return this.countWith(text);
  }
}
