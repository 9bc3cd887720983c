import { Timestamp, type CollectionGroup, type CollectionReference, type DocumentReference, type DocumentSnapshot, type Firestore, type Query } from '@google-cloud/firestore';
import type { MessageRecord } from '../../domain/model/message-record.js';
import { translateError } from './chat-store-unavailable-error.js';
import { encodeDocId, recordFrom } from './firestore-documents.js';

const DAY_MS = 86_400_000;

export interface FirestoreChatStoreOptions {
  /** Prepended to the root collection names; tests isolate themselves with a unique prefix. */
  collectionPrefix?: string;
  /** Documents expire (Firestore TTL on `expireAt`) this many days after their last write. Default 90. */
  retentionDays?: number;
}

/**
 * The chat store's collections and the reads every capability shares: `conversations/{id}`,
 * `conversations/{id}/messages/{messageId}`, `conversations/{id}/agentReplies/{replyId}`,
 * `handoffs/{conversationId}` (who answers it: a document apart, so the claim that reads it never
 * contends with the registrations that rewrite the conversation's counters),
 * `outbound/{outboundId}` → the message that got it, `claims/{channel:account:messageId}`,
 * `channels/{accountId}` (and its `spend/{day}`).
 */
export class ChatCollections {
  readonly conversations: CollectionReference;
  readonly outbound: CollectionReference;
  readonly channels: CollectionReference;
  readonly claims: CollectionReference;
  readonly handoffs: CollectionReference;
  /** Every conversation's messages (collection group): the per-participant queries span them. */
  readonly allMessages: CollectionGroup;
  private readonly retentionMs: number;

  constructor(
    readonly db: Firestore,
    options: FirestoreChatStoreOptions = {},
  ) {
    const prefix = options.collectionPrefix ?? '';
    this.conversations = db.collection(`${prefix}conversations`);
    this.outbound = db.collection(`${prefix}outbound`);
    this.channels = db.collection(`${prefix}channels`);
    this.claims = db.collection(`${prefix}claims`);
    this.handoffs = db.collection(`${prefix}handoffs`);
    this.allMessages = db.collectionGroup('messages');
    this.retentionMs = (options.retentionDays ?? 90) * DAY_MS;
  }

  conversationRef(conversationId: string): DocumentReference {
    return this.conversations.doc(encodeDocId(conversationId));
  }

  messagesOf(conversationId: string): CollectionReference {
    return this.conversationRef(conversationId).collection('messages');
  }

  handoffRef(conversationId: string): DocumentReference {
    return this.handoffs.doc(encodeDocId(conversationId));
  }

  agentRepliesOf(conversationId: string): CollectionReference {
    return this.conversationRef(conversationId).collection('agentReplies');
  }

  messageRef(conversationId: string, messageId: string): DocumentReference {
    return this.messagesOf(conversationId).doc(encodeDocId(messageId));
  }

  /** The TTL of a document written now: every write pushes it back. */
  expireAt(): Timestamp {
    return Timestamp.fromMillis(Date.now() + this.retentionMs);
  }

  async read(operation: string, ref: DocumentReference): Promise<DocumentSnapshot> {
    try {
      return await ref.get();
    } catch (error) {
      translateError(operation, error);
    }
  }

  /** Several documents in one round trip, in the order asked. */
  async readAll(operation: string, ...refs: DocumentReference[]): Promise<DocumentSnapshot[]> {
    try {
      return await this.db.getAll(...refs);
    } catch (error) {
      translateError(operation, error);
    }
  }

  /** The messages `query` answers, in its order. */
  async records(operation: string, query: Query): Promise<MessageRecord[]> {
    try {
      return (await query.get()).docs.map((doc) => recordFrom(doc));
    } catch (error) {
      translateError(operation, error);
    }
  }

  /** The newest `limit` messages of `query` (by reception, then sending time), returned oldest first. */
  async newestFirst(operation: string, query: Query, limit: number): Promise<MessageRecord[]> {
    let docs;
    try {
      docs = (await query.orderBy('receivedAt', 'desc').orderBy('sentAt', 'desc').limit(limit).get()).docs;
    } catch (error) {
      translateError(operation, error);
    }
    return docs.map((doc) => recordFrom(doc)).reverse();
  }
}
