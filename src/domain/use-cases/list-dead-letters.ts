import type { Page } from '../model/analytics.js';
import type { DeadLetter } from '../model/dead-letter.js';
import type { DeadLetterStore } from '../ports/dead-letter-store.js';

export const DEFAULT_DEAD_LETTER_PAGE = 50;
const MAX_PAGE = 100;

/** Dead letters, newest first, a page at a time. */
export class ListDeadLetters {
  constructor(private readonly store: DeadLetterStore) {}

  execute({ limit = DEFAULT_DEAD_LETTER_PAGE, cursor }: { limit?: number; cursor?: string | undefined } = {}): Promise<Page<DeadLetter>> {
    const bounded = Math.min(Math.max(Math.trunc(limit) || DEFAULT_DEAD_LETTER_PAGE, 1), MAX_PAGE);
    return this.store.list({ limit: bounded, ...(cursor ? { cursor } : {}) });
  }
}
