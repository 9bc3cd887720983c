import { hash } from 'node:crypto';

/**
 * Hex SHA-256 of the UTF-8 text: ids derived from it are stored, so it must never change. One-shot
 * (a third of createHash's cost: every webhook item derives a conversation id).
 */
const digestOf = (text: string): string => hash('sha256', text, 'hex');

export const CHANNELS = ['whatsapp', 'api'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Deterministic conversation id for (channel, account, participant). It is the Pub/Sub ordering
 * key and the Firestore document id, so it must be stable, URL- and path-safe, and must not reveal
 * the participant's phone number when it appears in logs.
 */
export function conversationIdFor(channel: Channel, accountId: string, participantId: string): string {
  return `c_${digestOf(`conversation\u0000${channel}\u0000${accountId}\u0000${participantId}`).slice(0, 40)}`;
}

/** Pseudonymous user key for analytics (distinct users without storing phone numbers there). */
export function userKeyFor(channel: Channel, accountId: string, participantId: string): string {
  return `u_${digestOf(`user\u0000${channel}\u0000${accountId}\u0000${participantId}`).slice(0, 40)}`;
}

/** What a channel's own message id (wamid, API `webhook-id`) may be: see isChannelMessageId. */
export const CHANNEL_MESSAGE_ID_RULE = '1–256 printable ASCII characters, without spaces';

/**
 * A channel's message id names the stored message and its claim (Firestore refuses ids over
 * 1,500 bytes: percent-encoded, 256 characters stay under it), so it is bounded at the edge.
 * Printable ASCII (0x21–0x7E) only: a space is the separator of Standard Webhooks signature lists
 * and invisible in logs and the dashboard; no sender we know uses one.
 */
export function isChannelMessageId(id: string): boolean {
  return /^[\x21-\x7e]{1,256}$/.test(id);
}

/** The API channel's conversation: the client's own conversation id when it names one, else one per user. */
export function apiConversationIdFor(accountId: string, userId: string, clientConversationId?: string): string {
  return conversationIdFor('api', accountId, clientConversationId !== undefined ? `conversation:${clientConversationId}` : `user:${userId}`);
}

/** A tool call's id (the `webhook-id` of its request): stable for the message and the call's place among its calls. */
export function toolCallIdFor(conversationId: string, messageId: string, index: number): string {
  return `tc_${digestOf(`tool-call\u0000${conversationId}\u0000${messageId}\u0000${index}`).slice(0, 32)}`;
}
