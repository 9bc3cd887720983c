import type { Timestamp } from '@google-cloud/firestore';
import type { MessageRecord } from '../../domain/model/message-record.js';

/** What this process last wrote to a message document: the record and the update time that write gave it. */
export interface Written {
  record: MessageRecord;
  updateTime: Timestamp;
}

/**
 * The message documents this process wrote last (by document path, the newest kept, at most
 * `capacity`). A transition that expects the version this process wrote can compare-and-set on
 * that write's update time without reading the document first: one round trip instead of two.
 * An entry gone stale (another writer came since) costs no correctness, only the read it meant
 * to save: the write's precondition fails and the transition reads as it would have.
 */
export class WrittenVersions {
  private readonly entries = new Map<string, Written>();

  constructor(private readonly capacity = 4_096) {}

  get(path: string): Written | undefined {
    return this.entries.get(path);
  }

  remember(path: string, written: Written): void {
    this.entries.delete(path);
    this.entries.set(path, written);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(path: string): void {
    this.entries.delete(path);
  }
}
