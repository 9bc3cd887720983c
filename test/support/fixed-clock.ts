import type { Clock } from '../../src/domain/ports/clock.js';

/** A clock tests move by hand; `sleep` advances it instead of waiting. */
export class FixedClock implements Clock {
  constructor(private current = Date.UTC(2026, 10, 25, 12, 0, 0)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  async sleep(ms: number): Promise<void> {
    this.current += ms;
  }
}
