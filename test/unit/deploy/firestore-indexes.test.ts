import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface IndexFile {
  indexes: { collectionGroup: string; queryScope: string; fields: { fieldPath: string; order?: string }[] }[];
  fieldOverrides: { collectionGroup: string; fieldPath: string; ttl?: boolean; indexes: unknown[] }[];
}

const file = JSON.parse(readFileSync(new URL('../../../firestore.indexes.json', import.meta.url), 'utf8')) as IndexFile;

describe('firestore.indexes.json', () => {
  it.each(['messages', 'conversations', 'outbound'])('names expireAt as the TTL field of %s, unindexed', (collectionGroup) => {
    const ttl = file.fieldOverrides.filter((o) => o.collectionGroup === collectionGroup && o.ttl === true);
    expect(ttl).toEqual([{ collectionGroup, fieldPath: 'expireAt', ttl: true, indexes: [] }]);
  });

  it('declares the index the transcript queries need (newest by reception, then sending time)', () => {
    expect(file.indexes).toContainEqual({
      collectionGroup: 'messages',
      queryScope: 'COLLECTION',
      fields: [
        { fieldPath: 'receivedAt', order: 'DESCENDING' },
        { fieldPath: 'sentAt', order: 'DESCENDING' },
      ],
    });
  });

  it('declares the index the paged transcript reads (oldest first by reception, then sending time, then id)', () => {
    expect(file.indexes).toContainEqual({
      collectionGroup: 'messages',
      queryScope: 'COLLECTION',
      fields: [
        { fieldPath: 'receivedAt', order: 'ASCENDING' },
        { fieldPath: 'sentAt', order: 'ASCENDING' },
      ],
    });
  });

  it("declares the collection-group indexes of a participant's message window (the count, and the limit replies in it)", () => {
    const group = (...fields: string[]) => ({ collectionGroup: 'messages', queryScope: 'COLLECTION_GROUP', fields: fields.map((fieldPath) => ({ fieldPath, order: 'ASCENDING' })) });
    expect(file.indexes).toContainEqual(group('participantKey', 'receivedAt'));
    expect(file.indexes).toContainEqual(group('participantKey', 'note', 'state', 'receivedAt'));
  });
});
