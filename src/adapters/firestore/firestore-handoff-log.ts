import { randomUUID } from 'node:crypto';
import { FieldValue, type DocumentReference } from '@google-cloud/firestore';
import { z } from 'zod';
import type { Conversation } from '../../domain/model/conversation.js';
import { BOT_HANDOFF, type Handoff, type HandoffChange } from '../../domain/model/handoff.js';
import type { ConversationMode } from '../../domain/model/interaction.js';
import type { MessagePatch } from '../../domain/model/message-record.js';
import type { HandoffLog, ModeClaim } from '../../domain/ports/handoff-log.js';
import { translateError } from './chat-store-unavailable-error.js';
import type { ChatCollections } from './firestore-collections.js';
import { conversationFrom, encodeDocId, handoffFrom, patched, patchUpdate, plain, recordFrom } from './firestore-documents.js';
import { decode, handoffSchema } from './firestore-schemas.js';
import type { WrittenVersions } from './written-versions.js';

/** What a handoff document holds beside the handoff: the conversation it belongs to (the queue lists them). */
const handoffOwnerSchema = z.object({ conversationId: z.string() });

/**
 * Handoffs on Firestore: one document per conversation, `handoffs/{conversationId}`, written whole
 * (absent fields removed) and only when the mode changes. It is not a field of the conversation
 * document: registrations rewrite that on every message, and the claim would contend with them.
 *
 * The claim and a handoff change are transactions that both read the handoff document: Firestore
 * holds the read until the commit, so a change waits for a claim that read the old mode (or aborts
 * and retries it), and a claim after a change reads the new one. The claim writes the message as
 * the message log does (version, writeToken, outbound pointers). A transaction's commit time is
 * not returned by the SDK, so the claimed message is read again beside the caller's work (the
 * model call that follows a claim): the message log's next transition then writes at once,
 * without a read on the reply's path.
 */
export class FirestoreHandoffLog implements HandoffLog {
  constructor(
    private readonly collections: ChatCollections,
    private readonly written: WrittenVersions,
  ) {}

  async handoff(conversationId: string): Promise<Handoff | null> {
    const [conversation, handoff] = await this.collections.readAll('handoff', this.collections.conversationRef(conversationId), this.collections.handoffRef(conversationId));
    return conversation!.exists ? handoffFrom(handoff!) : null;
  }

  async replaceHandoff(conversationId: string, expectedVersion: number, next: HandoffChange): Promise<Handoff | null> {
    const conversationRef = this.collections.conversationRef(conversationId);
    const ref = this.collections.handoffRef(conversationId);
    // Tells this write from another writer's when the SDK retries a commit whose answer was lost.
    const writeToken = randomUUID();
    try {
      return await this.collections.db.runTransaction(async (tx) => {
        const [conversation, stored] = await tx.getAll(conversationRef, ref);
        if (stored!.exists && stored!.get('writeToken') === writeToken) return decode(handoffSchema, stored!);
        if (!conversation!.exists) return null;
        const current = handoffFrom(stored!);
        if (current.version !== expectedVersion) return null;
        const written: Handoff = plain({ ...next, version: current.version + 1 });
        tx.set(ref, { ...written, conversationId, writeToken, expireAt: this.collections.expireAt() });
        return written;
      });
    } catch (error) {
      translateError('replaceHandoff', error);
    }
  }

  async claim(conversationId: string, messageId: string, expectedVersion: number, patches: Record<ConversationMode, MessagePatch>): Promise<ModeClaim | null> {
    const { db, outbound } = this.collections;
    const handoffRef = this.collections.handoffRef(conversationId);
    const ref = this.collections.messageRef(conversationId, messageId);
    const writeToken = randomUUID();
    // The mode of the attempt that wrote last: when a retried attempt finds our write, that one committed.
    let claimedUnder: Handoff = { ...BOT_HANDOFF };
    // Whatever cached update time the message had is stale once the claim commits.
    this.written.forget(ref.path);
    try {
      const claim = await db.runTransaction(async (tx): Promise<ModeClaim | null> => {
        const [handoff, message] = await tx.getAll(handoffRef, ref);
        if (!message!.exists) return null;
        const current = recordFrom(message!);
        if (message!.get('writeToken') === writeToken) return { mode: claimedUnder.mode, handoff: claimedUnder, record: current };
        if (current.version !== expectedVersion) return null;
        const read = handoffFrom(handoff!);
        const mode = read.mode;
        const patch = patches[mode];
        const record = patched(current, patch);
        const expireAt = this.collections.expireAt();
        tx.update(ref, { ...patchUpdate(patch, FieldValue.delete()), version: record.version, writeToken, expireAt });
        // A conversation a person holds lives as long as its messages: its handoff expires with them, not before.
        if (mode === 'human' && handoff!.exists) tx.update(handoffRef, { expireAt });
        if (patch.outboundIds !== undefined) {
          for (const outboundId of record.outboundIds) tx.set(outbound.doc(encodeDocId(outboundId)), { conversationId, messageId, expireAt });
        }
        claimedUnder = read;
        return { mode, handoff: read, record };
      });
      if (claim) this.rememberWhenRead(ref, claim.record.version, writeToken);
      return claim;
    } catch (error) {
      translateError('claim', error);
    }
  }

  /**
   * Reads the claimed message in the background and remembers its update time for the message
   * log, when it still holds this claim's write and nothing newer was remembered meanwhile (a
   * transition that came first read for itself). A failed read only leaves the read to the next
   * transition, as before.
   */
  private rememberWhenRead(ref: DocumentReference, version: number, writeToken: string): void {
    this.collections.read('claim', ref).then(
      (snapshot) => {
        if (!snapshot.exists || snapshot.get('writeToken') !== writeToken || this.written.get(ref.path)) return;
        const record = recordFrom(snapshot);
        if (record.version === version) this.written.remember(ref.path, { record, updateTime: snapshot.updateTime! });
      },
      () => undefined,
    );
  }

  async waitingForHuman({ limit }: { limit: number }): Promise<Conversation[]> {
    if (limit <= 0) return [];
    let docs;
    try {
      // Only documents holding `waitingSince` are in its index; ties come in document id order.
      docs = (await this.collections.handoffs.orderBy('waitingSince').limit(Math.floor(limit)).get()).docs;
    } catch (error) {
      translateError('waitingForHuman', error);
    }
    if (docs.length === 0) return [];
    const ids = docs.map((doc) => decode(handoffOwnerSchema, doc).conversationId);
    const conversations = await this.collections.readAll('waitingForHuman', ...ids.map((id) => this.collections.conversationRef(id)));
    // A conversation erased (or expired) since is not waiting any more.
    return conversations.flatMap((snapshot, i) => (snapshot.exists ? [conversationFrom(ids[i]!, snapshot, decode(handoffSchema, docs[i]!))] : []));
  }
}
