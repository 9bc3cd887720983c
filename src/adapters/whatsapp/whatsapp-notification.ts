import { z } from 'zod';
import type { DeliveryState, DeliveryStatus } from '../../domain/model/delivery-status.js';
import { conversationIdFor } from '../../domain/model/ids.js';
import type { InboundMessage, MessageContent } from '../../domain/model/message.js';
import type { WhatsAppNotificationInput } from '../../domain/use-cases/accept-whatsapp-notification.js';
import { classifyGraphError } from './graph-errors.js';
import { sendReferenceOf } from './opaque-callback-data.js';

// The WhatsApp Cloud API webhook payload (PROTOCOLS.md). Unknown fields pass through untouched;
// ids and timestamps are strings; timestamps are Unix seconds.
const media = { id: z.string(), mime_type: z.string().optional() };

const wireMessage = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string().regex(/^\d{1,11}$/, 'must be Unix seconds'),
  type: z.string(),
  context: z.looseObject({ from: z.string().optional(), id: z.string().optional(), forwarded: z.boolean().optional() }).optional(),
  text: z.looseObject({ body: z.string() }).optional(),
  image: z.looseObject({ ...media, caption: z.string().optional() }).optional(),
  video: z.looseObject({ ...media, caption: z.string().optional() }).optional(),
  audio: z.looseObject({ ...media, voice: z.boolean().optional() }).optional(),
  document: z.looseObject({ ...media, caption: z.string().optional(), filename: z.string().optional() }).optional(),
  sticker: z.looseObject({ ...media, animated: z.boolean().optional() }).optional(),
  location: z
    .looseObject({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() })
    .optional(),
  contacts: z
    .array(z.looseObject({ name: z.looseObject({ formatted_name: z.string().optional() }).optional(), phones: z.array(z.looseObject({ phone: z.string().optional() })).optional() }))
    .optional(),
  interactive: z
    .looseObject({
      type: z.string(),
      button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
      list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
    })
    .optional(),
  button: z.looseObject({ payload: z.string().optional(), text: z.string() }).optional(),
  reaction: z.looseObject({ message_id: z.string(), emoji: z.string().optional() }).optional(),
  errors: z.array(z.looseObject({ code: z.number() })).optional(),
});

const wireStatus = z.looseObject({
  id: z.string().min(1),
  // A status Meta adds later must not make the whole batch (and its messages) a 400: it is skipped.
  status: z.string(),
  timestamp: z.string().regex(/^\d{1,11}$/, 'must be Unix seconds'),
  recipient_id: z.string().min(1),
  pricing: z.looseObject({ billable: z.boolean().optional(), pricing_model: z.string().optional(), category: z.string().optional() }).optional(),
  errors: z.array(z.looseObject({ code: z.number(), title: z.string().optional() })).optional(),
});

const messagesValue = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  metadata: z.looseObject({ display_phone_number: z.string().optional(), phone_number_id: z.string().min(1) }),
  contacts: z.array(z.looseObject({ wa_id: z.string(), profile: z.looseObject({ name: z.string().optional() }).optional() })).optional(),
  messages: z.array(wireMessage).optional(),
  statuses: z.array(wireStatus).optional(),
});

const notification = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: z.string(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })),
    }),
  ),
});

type WireMessage = z.infer<typeof wireMessage>;

const KNOWN_STATUSES: ReadonlySet<string> = new Set<DeliveryState>(['sent', 'delivered', 'read', 'failed', 'played']);

export class NotificationFormatError extends Error {}

/**
 * Parses a verified notification body into domain messages and statuses: every entry × change ×
 * item. Changes of other fields (account_update, template status…) are acknowledged and ignored.
 */
export function parseWhatsAppNotification(body: unknown, receivedAt: number): WhatsAppNotificationInput {
  const envelope = notification.safeParse(body);
  if (!envelope.success) throw new NotificationFormatError(`not a WhatsApp notification: ${summarise(envelope.error)}`);
  const result: WhatsAppNotificationInput = { messages: [], statuses: [] };
  for (const [e, entry] of envelope.data.entry.entries()) {
    for (const [c, change] of entry.changes.entries()) {
      if (change.field !== 'messages') continue;
      const value = messagesValue.safeParse(change.value);
      if (!value.success) throw new NotificationFormatError(`entry[${e}].changes[${c}].value: ${summarise(value.error)}`);
      const accountId = value.data.metadata.phone_number_id;
      const names = new Map(value.data.contacts?.map((contact) => [contact.wa_id, contact.profile?.name]) ?? []);
      for (const wire of value.data.messages ?? []) result.messages.push(toMessage(wire, accountId, names.get(wire.from), receivedAt));
      for (const status of (value.data.statuses ?? []).filter((s) => KNOWN_STATUSES.has(s.status))) {
        result.statuses.push({
          outboundId: status.id,
          channel: 'whatsapp',
          accountId,
          conversationId: conversationIdFor('whatsapp', accountId, status.recipient_id),
          recipientId: status.recipient_id,
          status: status.status as DeliveryState,
          at: Number(status.timestamp) * 1000,
          ...(status.pricing
            ? { pricing: definedOnly({ billable: status.pricing.billable, model: status.pricing.pricing_model, category: status.pricing.category }) }
            : {}),
          ...(status.errors ? { errors: status.errors.map((error) => definedOnly({ code: error.code, title: error.title })) } : {}),
          ...statusExtras(status),
        } satisfies DeliveryStatus);
      }
    }
  }
  return result;
}

/** What a status adds beyond Meta's fields: the reason of a failure, and which of our sends it is about. */
function statusExtras(status: z.infer<typeof wireStatus>): Pick<DeliveryStatus, 'failureReason' | 'sentFor'> {
  const code = status.errors?.[0]?.code;
  const sentFor = sendReferenceOf(status.biz_opaque_callback_data);
  return {
    ...(status.status === 'failed' && code !== undefined ? { failureReason: classifyGraphError(200, code).reason } : {}),
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

function summarise(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`)
    .join('; ');
}
