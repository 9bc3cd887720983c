import type { z } from 'zod';
import type { DeliveryStatus } from '../../domain/model/delivery-status.js';
import { conversationIdFor } from '../../domain/model/ids.js';
import type { InboundMessage, MessageContent } from '../../domain/model/message.js';
import type { WhatsAppNotificationInput } from '../../domain/use-cases/accept-whatsapp-notification.js';
import { change, entry, messagesValue, notification, summarise, wireMessage, wireStatus, type WireMessage, type WireStatus } from './whatsapp-wire.js';
import { classifyGraphError, isGraphCode } from './graph-errors.js';
import { sendReferenceOf } from './opaque-callback-data.js';

export class NotificationFormatError extends Error {}

/** An item of a notification that could not be used: where it is and why, never its content. */
export interface SkippedItem {
  /** e.g. `entry[0].changes[1].value.messages[0]` */
  at: string;
  reason: string;
}

export type ParsedNotification = WhatsAppNotificationInput & { skipped: SkippedItem[] };

/**
 * Parses a verified notification body into domain messages and statuses: every entry × change ×
 * item. Throws only when the body is not a WhatsApp notification at all; an item that cannot be
 * used (a message without sender, a status of an unknown state, a change without its business
 * number) is skipped and reported, and the rest is kept. Changes of other fields (account_update,
 * template status…) are acknowledged and ignored.
 */
export function parseWhatsAppNotification(body: unknown, receivedAt: number): ParsedNotification {
  const envelope = notification.safeParse(body);
  if (!envelope.success) throw new NotificationFormatError(`not a WhatsApp notification: ${summarise(envelope.error)}`);
  const result: ParsedNotification = { messages: [], statuses: [], skipped: [] };
  const skip = (at: string, error: z.ZodError) => result.skipped.push({ at, reason: summarise(error) });
  for (const [e, rawEntry] of envelope.data.entry.entries()) {
    const parsedEntry = entry.safeParse(rawEntry);
    if (!parsedEntry.success) {
      skip(`entry[${e}]`, parsedEntry.error);
      continue;
    }
    for (const [c, rawChange] of parsedEntry.data.changes.entries()) {
      const at = `entry[${e}].changes[${c}]`;
      const parsedChange = change.safeParse(rawChange);
      if (!parsedChange.success) {
        skip(at, parsedChange.error);
        continue;
      }
      if (parsedChange.data.field !== 'messages') continue;
      const value = messagesValue.safeParse(parsedChange.data.value);
      if (!value.success) {
        skip(`${at}.value`, value.error);
        continue;
      }
      const accountId = value.data.metadata.phone_number_id;
      const names = new Map(value.data.contacts?.map((contact) => [contact.wa_id, contact.profile?.name]) ?? []);
      for (const wire of itemsOf(value.data.messages, wireMessage, `${at}.value.messages`, result.skipped)) {
        result.messages.push(toMessage(wire, accountId, names.get(wire.from), receivedAt));
      }
      for (const wire of itemsOf(value.data.statuses, wireStatus, `${at}.value.statuses`, result.skipped)) {
        result.statuses.push(toStatus(wire, accountId));
      }
    }
  }
  return result;
}

/** The usable items of an optional list; each unusable one (or a list that is not one) is reported. */
function itemsOf<T>(list: unknown, schema: z.ZodType<T>, at: string, skipped: SkippedItem[]): T[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    skipped.push({ at, reason: 'not a list' });
    return [];
  }
  return list.flatMap((item, i) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) return [parsed.data];
    skipped.push({ at: `${at}[${i}]`, reason: summarise(parsed.error) });
    return [];
  });
}

function toStatus(status: WireStatus, accountId: string): DeliveryStatus {
  return {
    outboundId: status.id,
    channel: 'whatsapp',
    accountId,
    conversationId: conversationIdFor('whatsapp', accountId, status.recipient_id),
    recipientId: status.recipient_id,
    status: status.status,
    at: Number(status.timestamp) * 1000,
    ...(status.pricing
      ? { pricing: definedOnly({ billable: status.pricing.billable, model: status.pricing.pricing_model, category: status.pricing.category, type: status.pricing.type }) }
      : {}),
    ...(status.errors ? { errors: status.errors.map((error) => definedOnly({ code: error.code, title: error.title })) } : {}),
    ...statusExtras(status),
  };
}

/** What a status adds beyond Meta's fields: the reason of a failure, and which of our sends it is about. */
function statusExtras(status: z.infer<typeof wireStatus>): Pick<DeliveryStatus, 'failureReason' | 'sentFor'> {
  const code = status.errors?.[0]?.code;
  const sentFor = sendReferenceOf(status.biz_opaque_callback_data);
  return {
    ...(status.status === 'failed' && isGraphCode(code) ? { failureReason: classifyGraphError(200, code).reason } : {}),
    ...(sentFor ? { sentFor } : {}),
  };
}

function toMessage(wire: WireMessage, accountId: string, name: string | undefined, receivedAt: number): InboundMessage {
  const context = wire.context
    ? definedOnly({ replyToMessageId: wire.context.id, forwarded: wire.context.forwarded })
    : undefined;
  return {
    id: wire.id,
    channel: 'whatsapp',
    accountId,
    conversationId: conversationIdFor('whatsapp', accountId, wire.from),
    participant: definedOnly({ id: wire.from, name }),
    content: contentOf(wire),
    sentAt: Number(wire.timestamp) * 1000,
    receivedAt,
    ...(context && Object.keys(context).length > 0 ? { context } : {}),
  };
}

function contentOf(wire: WireMessage): MessageContent {
  const unsupported: MessageContent = { type: 'unsupported', ...definedOnly({ errorCode: wire.errors?.[0]?.code }) };
  switch (wire.type) {
    case 'text':
      return wire.text ? { type: 'text', body: wire.text.body } : unsupported;
    case 'image':
    case 'video': {
      const m = wire[wire.type];
      return m ? { type: wire.type, ...definedOnly({ mediaId: m.id, mimeType: m.mime_type, caption: m.caption }) } : unsupported;
    }
    case 'audio':
      return wire.audio ? { type: 'audio', voice: wire.audio.voice ?? false, ...definedOnly({ mediaId: wire.audio.id, mimeType: wire.audio.mime_type }) } : unsupported;
    case 'document': {
      const d = wire.document;
      return d ? { type: 'document', ...definedOnly({ mediaId: d.id, mimeType: d.mime_type, caption: d.caption, filename: d.filename }) } : unsupported;
    }
    case 'sticker':
      return wire.sticker ? { type: 'sticker', animated: wire.sticker.animated ?? false, ...definedOnly({ mediaId: wire.sticker.id, mimeType: wire.sticker.mime_type }) } : unsupported;
    case 'location': {
      const l = wire.location;
      return l ? { type: 'location', latitude: l.latitude, longitude: l.longitude, ...definedOnly({ name: l.name, address: l.address }) } : unsupported;
    }
    case 'contacts':
      return {
        type: 'contacts',
        contacts: (wire.contacts ?? []).map((c) => ({
          name: c.name?.formatted_name ?? '',
          phones: (c.phones ?? []).flatMap((p) => (p.phone ? [p.phone] : [])),
        })),
      };
    case 'interactive': {
      const choice = wire.interactive?.button_reply ?? wire.interactive?.list_reply;
      if (!choice) return unsupported;
      const kind = wire.interactive?.button_reply ? 'button_reply' : 'list_reply';
      const description = 'description' in choice ? (choice.description as string | undefined) : undefined;
      return { type: 'interactive', kind, replyId: choice.id, title: choice.title, ...definedOnly({ description }) };
    }
    case 'button':
      return wire.button ? { type: 'button', payload: wire.button.payload ?? '', text: wire.button.text } : unsupported;
    case 'reaction':
      return wire.reaction ? { type: 'reaction', messageId: wire.reaction.message_id, ...definedOnly({ emoji: wire.reaction.emoji || undefined }) } : unsupported;
    default:
      return unsupported;
  }
}

function definedOnly<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
