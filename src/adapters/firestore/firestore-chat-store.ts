import { randomUUID } from 'node:crypto';
import { FieldValue, Firestore, Timestamp, type CollectionGroup, type CollectionReference, type DocumentData, type DocumentReference, type DocumentSnapshot, type Query, type WriteBatch } from '@google-cloud/firestore';
import type { ChannelSettings } from '../../domain/model/channel-settings.js';
import type { Conversation } from '../../domain/model/conversation.js';
import type { DeliveryStatus } from '../../domain/model/delivery-status.js';
import type { InboundMessage } from '../../domain/model/message.js';
import { erasedRecord, newRecord, type MessagePatch, type MessageRecord } from '../../domain/model/message-record.js';
import type { ApplyStatusResult, ChatStore, ParticipantRef, SpendReservation } from '../../domain/ports/chat-store.js';
import { ChatStoreUnavailableError, grpcCodeOf, translateError } from './chat-store-unavailable-error.js';
import { deliveryAfter } from '../../domain/model/message-record.js';
import { conversationFrom, encodeDocId, messageDocument, patched, patchUpdate, plain, recordFrom } from './firestore-documents.js';
import { conversationsOfIn, participantKeyOf, participantWindowIn } from './firestore-participants.js';
import { reserveSpendIn, settleSpendIn } from './firestore-spend.js';

const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;
const DAY_MS = 86_400_000;
/** applyStatus retries its compare-and-set this often when other statuses of the message race it. */
const MAX_STATUS_ATTEMPTS = 10;

export interface FirestoreChatStoreOptions {
  /** Prepended to the root collection names; tests isolate themselves with a unique prefix. */
  collectionPrefix?: string;
  /** Documents expire (Firestore TTL on `expireAt`) this many days after their last write. Default 90. */
  retentionDays?: number;
}

/**
 * A Firestore client for the chat store. The SDK itself switches to FIRESTORE_EMULATOR_HOST when
 * that is set; `emulatorHost` does the same explicitly (tests), without touching the environment.
 */
export function createFirestore(projectId: string, options: { emulatorHost?: string } = {}): Firestore {
  return new Firestore({
    projectId,
    ignoreUndefinedProperties: true,
    ...(options.emulatorHost ? { host: options.emulatorHost, ssl: false } : {}),
  });
}

/**
 * The chat store on Firestore: `conversations/{id}`, `conversations/{id}/messages/{messageId}`,
 * `outbound/{outboundId}` → the message that got it, `channels/{accountId}`. Writes never hold
 * transaction locks: the claim is a `create()`, every other write is a batch guarded by the
 * document's update time (compare-and-set), so racing deliveries cost one round trip, not lock waits.
 */
/** Messages deleted per batch when erasing a conversation. */
const ERASE_PAGE = 200;
const MAX_BATCH_WRITES = 500;

export class FirestoreChatStore implements ChatStore {
  private readonly conversations: CollectionReference;
  private readonly outbound: CollectionReference;
  private readonly channels: CollectionReference;
  private readonly claims: CollectionReference;
  private readonly allMessages: CollectionGroup;
  private readonly retentionMs: number;

  constructor(
    private readonly db: Firestore,
    options: FirestoreChatStoreOptions = {},
  ) {
    const prefix = options.collectionPrefix ?? '';
    this.conversations = db.collection(`${prefix}conversations`);
    this.outbound = db.collection(`${prefix}outbound`);
    this.channels = db.collection(`${prefix}channels`);
    this.claims = db.collection(`${prefix}claims`);
    this.allMessages = db.collectionGroup('messages');
    this.retentionMs = (options.retentionDays ?? 90) * DAY_MS;
  }

  /** Ends the client's connections (at shutdown). */
  async close(): Promise<void> {
    await this.db.terminate();
  }

  async register(message: InboundMessage, now: number): Promise<{ created: boolean; record: MessageRecord }> {
    const record = plain(newRecord(message, now));
    const ref = this.messageRef(message.conversationId, message.id);
    const expireAt = this.expireAt();
    // One atomic batch: when the create loses, the conversation is not touched either.
    const batch = this.db.batch();
    // The claim is keyed by the channel's message id alone (per channel and account): a message id
    // seen under one conversation is a duplicate under any other (an API client re-signing a
    // replayed webhook-id with another userId must not get a second reply).
    const claim = this.claimRef(message);
    batch.create(claim, { conversationId: message.conversationId, messageId: message.id, expireAt });
    const participantKey = participantKeyOf(message);
    batch.create(ref, { ...messageDocument(record, expireAt), participantKey });
    batch.set(
      this.conversations.doc(encodeDocId(message.conversationId)),
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
      await batch.commit();
      return { created: true, record };
    } catch (error) {
      if (grpcCodeOf(error) !== ALREADY_EXISTS) translateError('register', error);
    }
    const claimed = await this.read('register', claim);
    const owner = claimed.exists ? (claimed.data() as { conversationId: string; messageId: string }) : undefined;
    const stored = await this.read('register', owner ? this.messageRef(owner.conversationId, owner.messageId) : ref);
    if (!stored.exists && owner) return { created: false, record: erasedRecord(message, now) };
    if (!stored.exists) throw new ChatStoreUnavailableError(`message ${message.id} vanished while it was registered`);
    return { created: false, record: recordFrom(stored.data()!) };
  }

  async transition(conversationId: string, messageId: string, expectedVersion: number, patch: MessagePatch): Promise<MessageRecord | null> {
    const snapshot = await this.read('transition', this.messageRef(conversationId, messageId));
    if (!snapshot.exists) return null;
    const current = recordFrom(snapshot.data()!);
    if (current.version !== expectedVersion) return null;

    const next = patched(current, patch);
    // Tells this write from another writer's when the SDK retried a commit whose answer was lost.
    const writeToken = randomUUID();
    const update = { ...patchUpdate(patch, FieldValue.delete()), version: next.version, writeToken };
    const pointers = patch.outboundIds === undefined ? [] : next.outboundIds;
    const written = await this.writeIfUnchanged(
      'transition',
      snapshot,
      update,
      (batch, expireAt) => {
        for (const outboundId of pointers) {
          batch.set(this.outbound.doc(encodeDocId(outboundId)), { conversationId, messageId, expireAt });
        }
      },
      writeToken,
    );
    return written ? next : null;
  }

  async history(conversationId: string, { before, limit }: { before: number; limit: number }): Promise<MessageRecord[]> {
    if (limit <= 0) return [];
    return this.newestFirst('history', this.messagesOf(conversationId).where('receivedAt', '<', before), limit);
  }

  async messages(conversationId: string, { limit }: { limit: number }): Promise<MessageRecord[]> {
    if (limit <= 0) return [];
    return this.newestFirst('messages', this.messagesOf(conversationId), limit);
  }

  async applyStatus(status: DeliveryStatus): Promise<ApplyStatusResult> {
    const pointer = await this.read('applyStatus', this.outbound.doc(encodeDocId(status.outboundId)));
    if (!pointer.exists) return 'unknown';
    const { conversationId, messageId } = pointer.data() as { conversationId: string; messageId: string };
    const ref = this.messageRef(conversationId, messageId);

    for (let attempt = 0; attempt < MAX_STATUS_ATTEMPTS; attempt++) {
      const snapshot = await this.read('applyStatus', ref);
      if (!snapshot.exists) return 'unknown';
      const record = recordFrom(snapshot.data()!);
      const { result, delivery } = deliveryAfter(record.delivery, status);
      if (!delivery) return result;
      if (await this.writeIfUnchanged('applyStatus', snapshot, { delivery, version: record.version + 1 })) return result;
    }
    throw new ChatStoreUnavailableError(`delivery status for ${status.outboundId} lost ${MAX_STATUS_ATTEMPTS} races in a row`);
  }

  async findMessage(conversationId: string, messageId: string): Promise<MessageRecord | null> {
    const snapshot = await this.read('findMessage', this.messageRef(conversationId, messageId));
    return snapshot.exists ? recordFrom(snapshot.data()!) : null;
  }

  async findByOutboundId(outboundId: string): Promise<MessageRecord | null> {
    const pointer = await this.read('findByOutboundId', this.outbound.doc(encodeDocId(outboundId)));
    if (!pointer.exists) return null;
    const { conversationId, messageId } = pointer.data() as { conversationId: string; messageId: string };
    return this.findMessage(conversationId, messageId);
  }

  async getConversation(conversationId: string): Promise<Conversation | null> {
    const snapshot = await this.read('getConversation', this.conversations.doc(encodeDocId(conversationId)));
    return snapshot.exists ? conversationFrom(conversationId, snapshot.data()!) : null;
  }

  async channelSettings(accountId: string): Promise<ChannelSettings | null> {
    const snapshot = await this.read('channelSettings', this.channels.doc(encodeDocId(accountId)));
    return snapshot.exists ? (snapshot.data() as ChannelSettings) : null;
  }

  async listChannelSettings(): Promise<ChannelSettings[]> {
    try {
      const snapshot = await this.channels.orderBy('accountId').get();
      return snapshot.docs.map((doc) => doc.data() as ChannelSettings);
    } catch (error) {
      translateError('listChannelSettings', error);
    }
  }

  async eraseConversation(conversationId: string): Promise<{ messages: number }> {
    const conversation = this.conversations.doc(encodeDocId(conversationId));
    let erased = 0;
    try {
      // Pages of messages; the outbound pointers go first so none is left pointing at nothing.
      for (;;) {
        const page = await this.messagesOf(conversationId).limit(ERASE_PAGE).get();
        if (page.empty) break;
        const refs = page.docs.flatMap((doc) => recordFrom(doc.data()).outboundIds.map((id) => this.outbound.doc(encodeDocId(id))));
        for (let i = 0; i < refs.length; i += MAX_BATCH_WRITES) await this.deleteAll(refs.slice(i, i + MAX_BATCH_WRITES));
        await this.deleteAll(page.docs.map((doc) => doc.ref));
        erased += page.size;
      }
      await conversation.delete();
    } catch (error) {
      translateError('eraseConversation', error);
    }
    return { messages: erased };
  }

  conversationsOf(participant: ParticipantRef): Promise<Conversation[]> {
    return conversationsOfIn(this.conversations, participant);
  }

  participantWindow(participant: ParticipantRef, window: { after: number; upTo: number; except: string; note: string }): Promise<{ messages: number; limitReplied: boolean }> {
    return participantWindowIn(this.allMessages, participant, window);
  }

  async saveChannelSettings(settings: ChannelSettings): Promise<void> {
    try {
      await this.channels.doc(encodeDocId(settings.accountId)).set(plain(settings));
    } catch (error) {
      translateError('saveChannelSettings', error);
    }
  }

  reserveSpend(accountId: string, day: string, reservation: SpendReservation, capUsd: number, now: number): Promise<boolean> {
    return reserveSpendIn(this.spendRef(accountId, day), reservation, capUsd, now, this.expireAt());
  }

  settleSpend(accountId: string, day: string, key: string, usd: number): Promise<void> {
    return settleSpendIn(this.spendRef(accountId, day), key, usd, this.expireAt());
  }

  async spendOf(accountId: string, day: string): Promise<number> {
    const snapshot = await this.read('spendOf', this.spendRef(accountId, day));
    return snapshot.exists ? Number(snapshot.get('usd') ?? 0) : 0;
  }

  private async deleteAll(refs: DocumentReference[]): Promise<void> {
    const batch = this.db.batch();
    for (const ref of refs) batch.delete(ref);
    await batch.commit();
  }

  private spendRef(accountId: string, day: string): DocumentReference {
    return this.channels.doc(encodeDocId(accountId)).collection('spend').doc(encodeDocId(day));
  }


  private messagesOf(conversationId: string): CollectionReference {
    return this.conversations.doc(encodeDocId(conversationId)).collection('messages');
  }

  private claimRef(message: InboundMessage): DocumentReference {
    return this.claims.doc(encodeDocId(`${message.channel}:${message.accountId}:${message.id}`));
  }

  private messageRef(conversationId: string, messageId: string): DocumentReference {
    return this.messagesOf(conversationId).doc(encodeDocId(messageId));
  }

  private expireAt(): Timestamp {
    return Timestamp.fromMillis(Date.now() + this.retentionMs);
  }

  private async read(operation: string, ref: DocumentReference): Promise<DocumentSnapshot> {
    try {
      return await ref.get();
    } catch (error) {
      translateError(operation, error);
    }
  }

  /** The newest `limit` messages of `query` (by reception, then sending time), returned oldest first. */
  private async newestFirst(operation: string, query: Query, limit: number): Promise<MessageRecord[]> {
    try {
      const snapshot = await query.orderBy('receivedAt', 'desc').orderBy('sentAt', 'desc').limit(limit).get();
      return snapshot.docs.map((doc) => recordFrom(doc.data())).reverse();
    } catch (error) {
      translateError(operation, error);
    }
  }

  /**
   * Compare-and-set on the document's update time: every write to a message bumps its version, so
   * an unchanged update time means an unchanged version. False when another writer came first.
   */
  private async writeIfUnchanged(
    operation: string,
    snapshot: DocumentSnapshot,
    update: DocumentData,
    alsoWrite?: (batch: WriteBatch, expireAt: Timestamp) => void,
    writeToken?: string,
  ): Promise<boolean> {
    const expireAt = this.expireAt();
    const batch = this.db.batch();
    batch.update(snapshot.ref, { ...update, expireAt }, { lastUpdateTime: snapshot.updateTime! });
    alsoWrite?.(batch, expireAt);
    try {
      await batch.commit();
      return true;
    } catch (error) {
      const code = grpcCodeOf(error);
      if (code === NOT_FOUND) return false;
      if (code === FAILED_PRECONDITION) {
        // The SDK retries a commit whose answer was lost (a reset connection); when the first try
        // was applied, the retry fails its precondition on our own write: that is a success.
        return writeToken !== undefined && (await this.read(operation, snapshot.ref)).get('writeToken') === writeToken;
      }
      translateError(operation, error);
    }
  }
}
