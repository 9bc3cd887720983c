import { FieldPath, type DocumentReference, type QueryDocumentSnapshot } from '@google-cloud/firestore';
import { z } from 'zod';
import type { Conversation } from '../../domain/model/conversation.js';
import type { MessageRecord } from '../../domain/model/message-record.js';
import type { ConversationArchive, ParticipantRef, TranscriptPosition } from '../../domain/ports/conversation-archive.js';
import { translateError } from './chat-store-unavailable-error.js';
import type { ChatCollections } from './firestore-collections.js';
import { conversationFrom, encodeDocId, handoffFrom } from './firestore-documents.js';
import { conversationsOfIn, participantWindowIn } from './firestore-participants.js';

/** Messages deleted per batch when erasing a conversation. */
const ERASE_PAGE = 200;
const MAX_BATCH_WRITES = 500;

const outboundIds = z.array(z.string());

/**
 * The outbound ids of a message being erased. Erasure deletes a malformed message too (it must
 * never be refused): when its ids cannot be read, their pointers are left to expire by TTL.
 */
function outboundIdsOf(doc: QueryDocumentSnapshot): string[] {
  const parsed = outboundIds.safeParse(doc.get('outboundIds'));
  return parsed.success ? parsed.data : [];
}

/** Conversations on Firestore: read whole, found by participant (their pseudonymous key), erased. */
export class FirestoreConversationArchive implements ConversationArchive {
  constructor(private readonly collections: ChatCollections) {}

  async getConversation(conversationId: string): Promise<Conversation | null> {
    const [snapshot, handoff] = await this.collections.readAll('getConversation', this.collections.conversationRef(conversationId), this.collections.handoffRef(conversationId));
    return snapshot!.exists ? conversationFrom(conversationId, snapshot!, handoffFrom(handoff!)) : null;
  }

  async messages(conversationId: string, { limit }: { limit: number }): Promise<MessageRecord[]> {
    if (limit <= 0) return [];
    return this.collections.newestFirst('messages', this.collections.messagesOf(conversationId), limit);
  }

  async messagesAfter(conversationId: string, { after, limit }: { after?: TranscriptPosition; limit: number }): Promise<MessageRecord[]> {
    if (limit <= 0) return [];
    const ordered = this.collections.messagesOf(conversationId).orderBy('receivedAt').orderBy('sentAt').orderBy(FieldPath.documentId());
    const query = (after ? ordered.startAfter(after.receivedAt, after.sentAt, encodeDocId(after.id)) : ordered).limit(limit);
    return this.collections.records('messagesAfter', query);
  }

  conversationsOf(participant: ParticipantRef): Promise<Conversation[]> {
    return conversationsOfIn(this.collections.conversations, participant);
  }

  participantWindow(participant: ParticipantRef, window: { after: number; upTo: number; except: string; note: string }): Promise<{ messages: number; limitReplied: boolean }> {
    return participantWindowIn(this.collections.allMessages, participant, window);
  }

  async eraseConversation(conversationId: string): Promise<{ messages: number }> {
    const { outbound } = this.collections;
    let erased = 0;
    try {
      // Pages of messages; the outbound pointers go first so none is left pointing at nothing.
      for (;;) {
        const page = await this.collections.messagesOf(conversationId).limit(ERASE_PAGE).get();
        if (page.empty) break;
        const refs = page.docs.flatMap((doc) => outboundIdsOf(doc).map((id) => outbound.doc(encodeDocId(id))));
        for (let i = 0; i < refs.length; i += MAX_BATCH_WRITES) await this.deleteAll(refs.slice(i, i + MAX_BATCH_WRITES));
        await this.deleteAll(page.docs.map((doc) => doc.ref));
        erased += page.size;
      }
      for (;;) {
        const page = await this.collections.agentRepliesOf(conversationId).limit(ERASE_PAGE).get();
        if (page.empty) break;
        await this.deleteAll(page.docs.map((doc) => doc.ref));
      }
      // Together: a handoff change (a transaction reading both) finds both or neither.
      await this.deleteAll([this.collections.conversationRef(conversationId), this.collections.handoffRef(conversationId)]);
    } catch (error) {
      translateError('eraseConversation', error);
    }
    return { messages: erased };
  }

  private async deleteAll(refs: DocumentReference[]): Promise<void> {
    const batch = this.collections.db.batch();
    for (const ref of refs) batch.delete(ref);
    await batch.commit();
  }
}
