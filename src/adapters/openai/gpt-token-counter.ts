import { createRequire } from 'node:module';
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

/** The package's module of an encoding (its CommonJS build: loaded synchronously, at the first count). */
export const encodingModule = (encoding: GptEncoding): string => `gpt-tokenizer/encoding/${encoding}`;

const require = createRequire(import.meta.url);

/**
 * Tokens by the encoding of one model. Only that encoding is loaded, and only at the first count:
 * its rank tables take tens of MB of a process's memory (cl100k_base about 40, o200k_base about
 * 65 with both) and about 100 ms to build, and the prompt budget needs no count while a prompt's
 * UTF-8 bytes fit in it (a token is at least one byte), so a worker that only sees short
 * conversations never loads it.
 */
export class GptTokenCounter implements TokenCounter {
  private countWith: ((text: string) => number) | undefined;

  private constructor(readonly encoding: GptEncoding) {}

  static forModel(model: string): GptTokenCounter {
    return new GptTokenCounter(encodingOf(model));
  }

  count(text: string): number {
    this.countWith ??= (require(encodingModule(this.encoding)) as { countTokens: (text: string) => number }).countTokens;
    return this.countWith(text);
  }
}
