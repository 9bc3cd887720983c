/**
 * A list of recorded requests that tests can await: `waitFor(n)` resolves as soon as the n-th one
 * arrives (no polling) and rejects after `timeoutMs` with what did arrive, for a readable failure.
 */
export class RecordedRequests<T> {
  readonly items: T[] = [];
  private waiters: { count: number; resolve: (items: T[]) => void }[] = [];

  push(item: T): void {
    this.items.push(item);
    const ready = this.waiters.filter((waiter) => this.items.length >= waiter.count);
    this.waiters = this.waiters.filter((waiter) => this.items.length < waiter.count);
    for (const waiter of ready) waiter.resolve([...this.items]);
  }

  waitFor(count: number, timeoutMs: number, what: string): Promise<T[]> {
    if (this.items.length >= count) return Promise.resolve([...this.items]);
    return new Promise((resolve, reject) => {
      const waiter = {
        count,
        resolve: (items: T[]) => {
          clearTimeout(timer);
          resolve(items);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${what}: expected ${count} request(s) within ${timeoutMs} ms, got ${this.items.length}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}
