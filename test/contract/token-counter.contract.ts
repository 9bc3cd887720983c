import { describe, expect, it } from 'vitest';
import type { TokenCounter } from '../../src/domain/ports/token-counter.js';

const PROSE = 'Our shop in Porto is open from 10 to 16 h on Sundays, and we deliver anywhere in the city within two days.';

/**
 * The shared cases every TokenCounter must pass. Prompt budgets are cut with it, so a count is a
 * whole number that is deterministic, zero only for nothing, grows with the text and is never
 * wildly off a real tokenizer's (between one token per word and one per character for prose).
 */
export function tokenCounterContract(name: string, make: () => TokenCounter): void {
  describe(name, () => {
    it('counts nothing as zero tokens', () => {
      expect(make().count('')).toBe(0);
    });

    it('gives the same whole, positive count when the same text is counted twice or by another instance', () => {
      const counter = make();
      const count = counter.count(PROSE);

      expect(Number.isInteger(count)).toBe(true);
      expect(count).toBeGreaterThan(0);
      expect(counter.count(PROSE)).toBe(count);
      expect(make().count(PROSE)).toBe(count);
    });

    it('counts prose between one token per word and one per character', () => {
      const count = make().count(PROSE);

      expect(count).toBeGreaterThanOrEqual(PROSE.split(/\s+/).length * 0.75);
      expect(count).toBeLessThanOrEqual(PROSE.length);
    });

    it('counts more for a longer text and about the sum for two texts joined', () => {
      const counter = make();
      const once = counter.count(PROSE);
      const twice = counter.count(`${PROSE}\n${PROSE}`);

      expect(twice).toBeGreaterThan(once);
      expect(Math.abs(twice - 2 * once)).toBeLessThanOrEqual(3);
    });

    it('counts non-Latin text and emoji as at least one token each and no more than their UTF-8 bytes', () => {
      const counter = make();
      for (const text of ['日本語のテキスト', 'Grüße aus Köln', '👋🏽🎉', 'مرحبا بك']) {
        const count = counter.count(text);
        expect([text, count >= 1 && count <= Buffer.byteLength(text, 'utf8')]).toEqual([text, true]);
      }
    });
  });
}
