interface Queued<T> {
  items: readonly T[];
  settle: (error?: unknown) => void;
}

/**
 * Group commit: one batch is written at a time, and everything added while it is being written goes
 * into the next one (up to `maxItems`), so a burst of small writes costs a few statements and rows
 * are written in the order they were added. The items of one `add` always share a batch: they are
 * written, or fail, together.
 */
export class SerialBatches<T> {
  private queue: Queued<T>[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxItems: number,
  ) {}

  add(items: readonly T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      this.writing ??= this.writeAll();
    });
  }

  get busy(): boolean {
    return this.writing !== undefined;
  }

  /** Resolves once everything added so far is written or has failed. */
  async drained(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async writeAll(): Promise<void> {
    // Yields first, so `writing` is set before a batch can finish, and adds of this tick join it.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.nextBatch();
      try {
        await this.write(batch.flatMap((queued) => queued.items));
        for (const queued of batch) queued.settle();
      } catch (error) {
        for (const queued of batch) queued.settle(error ?? new Error('batch write failed'));
      }
    }
    this.writing = undefined;
  }

  /** The oldest adds, as many as fit in `maxItems` (always at least one). */
  private nextBatch(): Queued<T>[] {
    let end = 0;
    let size = 0;
    while (end < this.queue.length && (end === 0 || size + this.queue[end]!.items.length <= this.maxItems)) size += this.queue[end++]!.items.length;
    return this.queue.splice(0, end);
  }
}
