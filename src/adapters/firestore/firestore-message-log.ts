import { randomUUID } from 'node:crypto';
import { FieldValue, type DocumentData, type DocumentReference, type Timestamp, type WriteBatch } from '@google-cloud/firestore';
import type { DeliveryStatus } from '../../domain/model/delivery-status.js';
import type { InboundMessage } from '../../domain/model/message.js';
import { deliveryAfter, erasedRecord, newRecord, type MessagePatch, type MessageRecord } from '../../domain/model/message-record.js';
import type { ApplyStatusResult, MessageLog } from '../../domain/ports/message-log.js';
import type { SpendSettlement } from '../../domain/ports/spend-ledger.js';
import { ChatStoreUnavailableError, grpcCodeOf, translateError } from './chat-store-unavailable-error.js';
import type { ChatCollections } from './firestore-collections.js';
import { encodeDocId, messageDocument, patched, patchUpdate, plain, recordFrom } from './firestore-documents.js';
import { participantKeyOf } from './firestore-participants.js';
import { decode, messagePointerSchema } from './firestore-schemas.js';
import { addSettlement } from './firestore-spend-ledger.js';
import { WrittenVersions, type Written } from './written-versions.js';

const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;
/** applyStatus retries its compare-and-set this often when other statuses of the message race it. */
const MAX_STATUS_ATTEMPTS = 10;

/**
 * The message log on Firestore. Writes never hold transaction locks: the claim is a `create()`,
 * every other write is a batch guarded by the document's update time (compare-and-set), so racing
 * deliveries cost one round trip, not lock waits. A transition from the version this process
 * wrote last needs no read first (see WrittenVersions).
 */
export class FirestoreMessageLog implements MessageLog {
  /** Shared with the handoff log, whose claim writes messages too (and forgets what it wrote over). */
  constructor(
    private readonly collections: ChatCollections,
    private readonly written = new WrittenVersions(),
  ) {}

  async register(message: InboundMessage, now: number): Promise<{ created: boolean; record: MessageRecord }> {
    const { db, conversations } = this.collections;
    const record = plain(newRecord(message, now));
    const ref = this.collections.messageRef(message.conversationId, message.id);
    const expireAt = this.collections.expireAt();
    // One atomic batch: when the create loses, the conversation is not touched either.
    const batch = db.batch();
    // The claim is keyed by the channel's message id alone (per channel and account): a message id
    // seen under one conversation is a duplicate under any other (an API client re-signing a
    // replayed webhook-id with another userId must not get a second reply).
    const claim = this.collections.claims.doc(encodeDocId(`${message.channel}:${message.accountId}:${message.id}`));
    batch.create(claim, { conversationId: message.conversationId, messageId: message.id, expireAt });
    const participantKey = participantKeyOf(message);
    const document = { ...messageDocument(record, expireAt), participantKey };
    batch.create(ref, document);
    batch.set(
      conversations.doc(encodeDocId(message.conversationId)),
      {
        channel: message.channel,
        accountId: message.accountId,
        participant: plain(message.participant),
        // Everyone who wrote here: an API client may give several users one conversation id.
        participantKeys: FieldValue.arrayUnion(participantKey),
        // Set on the first registration; later ones (clocks moving forward) leave it unchanged.
        createdAt: FieldValue.minimum(now),
        lastMessageAt: FieldValue.maximum(message.receivedAt),
        messageCount: FieldValue.increment(1),
        expireAt,
      },
      { merge: true },
    );
    try {
      const [, created] = await batch.commit();
      // Remembered as a read would give it back.
      this.written.remember(ref.path, { record: recordFrom({ ref, data: () => document }), updateTime: created!.writeTime });
      return { created: true, record };
    } catch (error) {
      if (grpcCodeOf(error) !== ALREADY_EXISTS) translateError('register', error);
    }
    const claimed = await this.collections.read('register', claim);
    const owner = claimed.exists ? decode(messagePointerSchema, claimed) : undefined;
    const stored = await this.collections.read('register', owner ? this.collections.messageRef(owner.conversationId, owner.messageId) : ref);
    if (!stored.exists && owner) return { created: false, record: erasedRecord(message, now) };
    if (!stored.exists) throw new ChatStoreUnavailableError(`message ${message.id} vanished while it was registered`);
    return { created: false, record: recordFrom(stored) };
  }

  async transition(conversationId: string, messageId: string, expectedVersion: number, patch: MessagePatch, settlement?: SpendSettlement): Promise<MessageRecord | null> {
    const ref = this.collections.messageRef(conversationId, messageId);
    const pointer = { conversationId, messageId };
    const known = this.written.get(ref.path);
    if (known && known.record.version === expectedVersion) {
      const next = await this.writeTransition(ref, pointer, known, patch, settlement);
      // Not written: another writer came since (or the message is gone); read and decide as below.
      if (next) return next;
    }
    const snapshot = await this.collections.read('transition', ref);
    if (!snapshot.exists) {
      this.written.forget(ref.path);
      return null;
    }
    const current = recordFrom(snapshot);
    if (current.version !== expectedVersion) return null;
    return this.writeTransition(ref, pointer, { record: current, updateTime: snapshot.updateTime! }, patch, settlement);
  }

  /** `patch` on `current.record` when the document is still as it was at `current.updateTime`; null when not. */
  private async writeTransition(
    ref: DocumentReference,
    pointer: { conversationId: string; messageId: string },
    current: Written,
    patch: MessagePatch,
    settlement: SpendSettlement | undefined,
  ): Promise<MessageRecord | null> {
    const next = patched(current.record, patch);
    // Tells this write from another writer's when the SDK retried a commit whose answer was lost.
    const writeToken = randomUUID();
    const update = { ...patchUpdate(patch, FieldValue.delete()), version: next.version, writeToken };
    const pointers = patch.outboundIds === undefined ? [] : next.outboundIds;
    const written = await this.writeIfUnchanged(
      'transition',
      ref,
      current.updateTime,
      update,
      (batch, expireAt) => {
        for (const outboundId of pointers) {
          batch.set(this.collections.outbound.doc(encodeDocId(outboundId)), { ...pointer, expireAt });
        }
        if (settlement) addSettlement(this.collections, batch, settlement);
      },
      writeToken,
    );
    if (!written) return null;
    // A copy: the caller owns what it is given.
    this.written.remember(ref.path, { record: structuredClone(next), updateTime: written });
    return next;
  }

  async findMessage(conversationId: string, messageId: string): Promise<MessageRecord | null> {
    const snapshot = await this.collections.read('findMessage', this.collections.messageRef(conversationId, messageId));
    return snapshot.exists ? recordFrom(snapshot) : null;
  }

  async findByOutboundId(outboundId: string): Promise<MessageRecord | null> {
    const pointer = await this.outboundPointer('findByOutboundId', outboundId);
    return pointer ? this.findMessage(pointer.conversationId, pointer.messageId) : null;
  }

  async history(conversationId: string, { before, limit }: { before: number; limit: number }): Promise<MessageRecord[]> {
    if (limit <= 0) return [];
    return this.collections.newestFirst('history', this.collections.messagesOf(conversationId).where('receivedAt', '<', before), limit);
  }

  async applyStatus(status: DeliveryStatus): Promise<ApplyStatusResult> {
    const pointer = await this.outboundPointer('applyStatus', status.outboundId);
    if (!pointer) return 'unknown';
    const ref = this.collections.messageRef(pointer.conversationId, pointer.messageId);

    for (let attempt = 0; attempt < MAX_STATUS_ATTEMPTS; attempt++) {
      const snapshot = await this.collections.read('applyStatus', ref);
      if (!snapshot.exists) return 'unknown';
      const record = recordFrom(snapshot);
      const { result, delivery } = deliveryAfter(record.delivery, status);
      if (!delivery) return result;
      if (await this.writeIfUnchanged('applyStatus', ref, snapshot.updateTime!, { delivery, version: record.version + 1 })) {
        this.written.forget(ref.path);
        return result;
      }
    }
    throw new ChatStoreUnavailableError(`delivery status for ${status.outboundId} lost ${MAX_STATUS_ATTEMPTS} races in a row`);
  }

  private async outboundPointer(operation: string, outboundId: string): Promise<{ conversationId: string; messageId: string } | null> {
    const pointer = await this.collections.read(operation, this.collections.outbound.doc(encodeDocId(outboundId)));
    return pointer.exists ? decode(messagePointerSchema, pointer) : null;
  }

  /**
   * Compare-and-set on the document's update time: every write to a message bumps its version, so
   * an unchanged update time means an unchanged version. Answers the update time this write gave
   * the document, or undefined when another writer came first.
   */
  private async writeIfUnchanged(
    operation: string,
    ref: DocumentReference,
    updateTime: Timestamp,
    update: DocumentData,
    alsoWrite?: (batch: WriteBatch, expireAt: Timestamp) => void,
    writeToken?: string,
  ): Promise<Timestamp | undefined> {
    const expireAt = this.collections.expireAt();
    const batch = this.collections.db.batch();
    batch.update(ref, { ...update, expireAt }, { lastUpdateTime: updateTime });
    alsoWrite?.(batch, expireAt);
    try {
      const [result] = await batch.commit();
      return result!.writeTime;
    } catch (error) {
      const code = grpcCodeOf(error);
      if (code === NOT_FOUND) return undefined;
      if (code === FAILED_PRECONDITION) {
        // The SDK retries a commit whose answer was lost (a reset connection); when the first try
        // was applied, the retry fails its precondition on our own write: that is a success.
        if (writeToken === undefined) return undefined;
        const now = await this.collections.read(operation, ref);
        return now.get('writeToken') === writeToken ? now.updateTime : undefined;
      }
      translateError(operation, error);
    }
  }
}
