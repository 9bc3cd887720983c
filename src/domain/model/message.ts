import type { Channel } from './ids.js';
import type { SkipReason } from './reasons.js';

export interface MediaRef {
  mediaId: string;
  mimeType?: string;
}

/** Every kind of inbound content the channels deliver (WhatsApp's message types plus API text). */
export type MessageContent =
  | { type: 'text'; body: string }
  | ({ type: 'image' | 'video'; caption?: string } & MediaRef)
  | ({ type: 'audio'; voice: boolean } & MediaRef)
  | ({ type: 'document'; caption?: string; filename?: string } & MediaRef)
  | ({ type: 'sticker'; animated: boolean } & MediaRef)
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'contacts'; contacts: SharedContact[] }
  | { type: 'interactive'; kind: 'button_reply' | 'list_reply'; replyId: string; title: string; description?: string }
  | { type: 'button'; payload: string; text: string }
  | { type: 'reaction'; messageId: string; emoji?: string }
  | { type: 'unsupported'; errorCode?: number };

export type MessageType = MessageContent['type'];

export interface SharedContact {
  name: string;
  phones: string[];
}

export interface Participant {
  /** The channel's id of the person: a WhatsApp `wa_id` or the API `userId`. */
  id: string;
  name?: string;
}

export interface InboundMessage {
  /** The channel's own message id (wamid or API `webhook-id`): the idempotency key. */
  id: string;
  channel: Channel;
  /** WhatsApp phone_number_id, or the API client account. */
  accountId: string;
  conversationId: string;
  participant: Participant;
  content: MessageContent;
  /** When the channel says the message was sent (epoch ms). */
  sentAt: number;
  /** When our listener accepted it (epoch ms). */
  receivedAt: number;
  context?: { replyToMessageId?: string; forwarded?: boolean };
  /** API channel only: where the reply is delivered. */
  callbackUrl?: string;
  metadata?: Record<string, string>;
}

/**
 * What the bot does with a piece of content: text-like content goes to the model with its type
 * made clear, media without text gets the media reply, reactions and unsupported types are only
 * recorded.
 */
export type ContentPlan =
  | { action: 'complete'; prompt: string }
  | { action: 'media-reply' }
  | { action: 'record-only'; reason: SkipReason };

export function planFor(content: MessageContent): ContentPlan {
  switch (content.type) {
    case 'text':
      return content.body.trim() ? { action: 'complete', prompt: content.body } : { action: 'record-only', reason: 'empty_text' };
    case 'image':
    case 'video':
    case 'document':
      return content.caption?.trim()
        ? { action: 'complete', prompt: `[${content.type} with caption] ${content.caption}` }
        : { action: 'media-reply' };
    case 'audio':
    case 'sticker':
      return { action: 'media-reply' };
    case 'location': {
      const label = [content.name, content.address].filter(Boolean).join(', ');
      return { action: 'complete', prompt: `[shared location] ${label || `${content.latitude}, ${content.longitude}`}` };
    }
    case 'contacts':
      return { action: 'complete', prompt: `[shared ${content.contacts.length} contact card(s): ${content.contacts.map((c) => c.name).join(', ')}]` };
    case 'interactive':
      return { action: 'complete', prompt: `[chose option] ${content.title}` };
    case 'button':
      return { action: 'complete', prompt: `[pressed button] ${content.text}` };
    case 'reaction':
      return { action: 'record-only', reason: content.emoji ? 'reaction' : 'reaction_removed' };
    case 'unsupported':
      return { action: 'record-only', reason: 'unsupported_type' };
  }
}

/** The user's side of a turn as it is shown in a transcript or given to the model as history. */
export function textOf(content: MessageContent): string | undefined {
  const plan = planFor(content);
  return plan.action === 'complete' ? plan.prompt : undefined;
}
