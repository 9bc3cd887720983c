import type { CollectionGroup, CollectionReference } from '@google-cloud/firestore';
import type { Conversation } from '../../domain/model/conversation.js';
import { userKeyFor } from '../../domain/model/ids.js';
import type { InboundMessage } from '../../domain/model/message.js';
import type { MessageState } from '../../domain/model/message-record.js';
import type { ParticipantRef } from '../../domain/ports/conversation-archive.js';
import { translateError } from './chat-store-unavailable-error.js';
import { conversationFrom } from './firestore-documents.js';
import { decode, windowMessageSchema } from './firestore-schemas.js';

/**
 * The pseudonymous key of a message's sender, stored on each message (`participantKey`) and in
 * its conversation's `participantKeys`: erasure and the per-participant rate limit find a person's
 * conversations by it, whatever ids they have, without querying on a phone number.
 */
export const participantKeyOf = (of: ParticipantRef | InboundMessage): string =>
  'participantId' in of ? userKeyFor(of.channel, of.accountId, of.participantId) : userKeyFor(of.channel, of.accountId, of.participant.id);

/** States a message holding a reply can be in: a silenced (`skipped`) message never got the limit reply. */
const REPLIED_STATES: MessageState[] = ['answered', 'sending', 'sent', 'failed', 'unsent', 'send-unknown'];

export async function conversationsOfIn(conversations: CollectionReference, participant: ParticipantRef): Promise<Conversation[]> {
  try {
    const snapshot = await conversations.where('participantKeys', 'array-contains', participantKeyOf(participant)).get();
    return snapshot.docs.map((doc) => conversationFrom(decodeURIComponent(doc.id), doc));
  } catch (error) {
    translateError('conversationsOf', error);
  }
}

/**
 * Two index-backed queries over every conversation's messages (collection group): a count, which
 * costs one read per thousand matches however many a flood holds, and at most two limit replies.
 * (With a collection prefix, the group spans every prefix; the participant key keeps them apart.)
 */
export async function participantWindowIn(
  messages: CollectionGroup,
  participant: ParticipantRef,
  { after, upTo, except, note }: { after: number; upTo: number; except: string; note: string },
): Promise<{ messages: number; limitReplied: boolean }> {
  const inWindow = messages.where('participantKey', '==', participantKeyOf(participant)).where('receivedAt', '>', after).where('receivedAt', '<=', upTo);
  try {
    const [count, replied] = await Promise.all([
      inWindow.count().get(),
      // Today's spelling only: a limit reply noted `rate-limited` by an older version is at most a minute old when it matters.
      inWindow.where('note', '==', note).where('state', 'in', REPLIED_STATES).limit(2).get(),
    ]);
    const limitReplied = replied.docs.some((doc) => {
      const { message, reply } = decode(windowMessageSchema, doc);
      return message.id !== except && reply?.kind === 'limit';
    });
    return { messages: count.data().count, limitReplied };
  } catch (error) {
    translateError('participantWindow', error);
  }
}
