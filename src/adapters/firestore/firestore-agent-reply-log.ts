import { randomUUID } from 'node:crypto';
import { FieldValue, type DocumentReference, type DocumentSnapshot } from '@google-cloud/firestore';
import type { AgentReply, AgentReplyPatch } from '../../domain/model/agent-reply.js';
import type { AgentReplyLog } from '../../domain/ports/agent-reply-log.js';
import { agentReplyAfter, agentReplyChanges } from '../codec/agent-reply-patch.js';
import { ChatStoreUnavailableError, grpcCodeOf, translateError } from './chat-store-unavailable-error.js';
import type { ChatCollections } from './firestore-collections.js';
import { encodeDocId, plain } from './firestore-documents.js';
import { agentReplySchema, decode } from './firestore-schemas.js';

const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;

/**
 * Agent replies on Firestore, `conversations/{id}/agentReplies/{replyId}`, beside the messages and
 * expiring with them (`expireAt`). Like the message log, no transaction locks: the reply is added
 * with `create()`, moved on by a write guarded by the update time of the version it read.
 */
export class FirestoreAgentReplyLog implements AgentReplyLog {
  constructor(private readonly collections: ChatCollections) {}

  async addAgentReply(reply: AgentReply): Promise<{ created: boolean; reply: AgentReply }> {
    const ref = this.replyRef(reply.conversationId, reply.id);
    const stored = plain(reply);
    try {
      await ref.create({ ...stored, expireAt: this.collections.expireAt() });
      return { created: true, reply: stored };
    } catch (error) {
      if (grpcCodeOf(error) !== ALREADY_EXISTS) translateError('addAgentReply', error);
    }
    const existing = await this.collections.read('addAgentReply', ref);
    if (!existing.exists) throw new ChatStoreUnavailableError(`agent reply ${reply.id} vanished while it was added`);
    return { created: false, reply: replyFrom(existing) };
  }

  async transitionAgentReply(conversationId: string, id: string, expectedVersion: number, patch: AgentReplyPatch): Promise<AgentReply | null> {
    const ref = this.replyRef(conversationId, id);
    const snapshot = await this.collections.read('transitionAgentReply', ref);
    if (!snapshot.exists) return null;
    const current = replyFrom(snapshot);
    if (current.version !== expectedVersion) return null;
    const next = agentReplyAfter(current, patch);
    const { set, removed } = agentReplyChanges(patch);
    // Tells this write from another writer's when the SDK retried a commit whose answer was lost.
    const writeToken = randomUUID();
    const update = { ...plain(set), ...Object.fromEntries(removed.map((field) => [field, FieldValue.delete()])), version: next.version, writeToken, expireAt: this.collections.expireAt() };
    try {
      await ref.update(update, { lastUpdateTime: snapshot.updateTime! });
      return next;
    } catch (error) {
      const code = grpcCodeOf(error);
      if (code === NOT_FOUND) return null;
      if (code !== FAILED_PRECONDITION) translateError('transitionAgentReply', error);
    }
    const now = await this.collections.read('transitionAgentReply', ref);
    return now.exists && now.get('writeToken') === writeToken ? next : null;
  }

  async findAgentReply(conversationId: string, id: string): Promise<AgentReply | null> {
    const snapshot = await this.collections.read('findAgentReply', this.replyRef(conversationId, id));
    return snapshot.exists ? replyFrom(snapshot) : null;
  }

  async agentReplies(conversationId: string, { from, to, limit }: { from?: number; to?: number; limit: number }): Promise<AgentReply[]> {
    if (limit <= 0) return [];
    let query = this.collections.agentRepliesOf(conversationId).orderBy('createdAt');
    if (from !== undefined) query = query.where('createdAt', '>=', from);
    if (to !== undefined) query = query.where('createdAt', '<', to);
    try {
      // One field's range and order: its single-field index; ties come in document id order (the reply ids, path-safe).
      return (await query.limit(Math.floor(limit)).get()).docs.map(replyFrom);
    } catch (error) {
      translateError('agentReplies', error);
    }
  }

  private replyRef(conversationId: string, id: string): DocumentReference {
    return this.collections.agentRepliesOf(conversationId).doc(encodeDocId(id));
  }
}

const replyFrom = (snapshot: Pick<DocumentSnapshot, 'ref' | 'data'>): AgentReply => decode(agentReplySchema, snapshot);
