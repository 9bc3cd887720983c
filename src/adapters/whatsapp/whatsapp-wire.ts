import { z } from 'zod';
import type { DeliveryState } from '../../domain/model/delivery-status.js';
import { CHANNEL_MESSAGE_ID_RULE, isChannelMessageId } from '../../domain/model/ids.js';

// The WhatsApp Cloud API webhook payload (PROTOCOLS.md), one schema per level, so each item of a
// batch is judged on its own: an unusable item is skipped, never the batch (CONTRACT.md,
// Listener). Unknown fields pass through untouched; ids and timestamps are strings; timestamps are
// Unix seconds. Issue messages name the field and what was expected, never the value received.

const unixSeconds = z.string().regex(/^\d{1,11}$/, 'must be Unix seconds');
const channelMessageId = z.string().refine(isChannelMessageId, `must be ${CHANNEL_MESSAGE_ID_RULE}`);

/**
 * An optional part of an item that is malformed counts as absent: a message with a broken `text`
 * or `context` still has a sender and an id, so it is published (its content `unsupported`).
 */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

const media = { id: z.string(), mime_type: z.string().optional() };

/** A usable message: a sender, an id and a time. Everything else is optional and lenient. */
export const wireMessage = z.looseObject({
  from: z.string().min(1),
  id: channelMessageId,
  timestamp: unixSeconds,
  type: z.string().catch(''),
  context: lenient(z.looseObject({ from: z.string().optional(), id: z.string().optional(), forwarded: z.boolean().optional() })),
  text: lenient(z.looseObject({ body: z.string() })),
  image: lenient(z.looseObject({ ...media, caption: z.string().optional() })),
  video: lenient(z.looseObject({ ...media, caption: z.string().optional() })),
  audio: lenient(z.looseObject({ ...media, voice: z.boolean().optional() })),
  document: lenient(z.looseObject({ ...media, caption: z.string().optional(), filename: z.string().optional() })),
  sticker: lenient(z.looseObject({ ...media, animated: z.boolean().optional() })),
  location: lenient(z.looseObject({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() })),
  contacts: lenient(
    z.array(z.looseObject({ name: z.looseObject({ formatted_name: z.string().optional() }).optional(), phones: z.array(z.looseObject({ phone: z.string().optional() })).optional() })),
  ),
  interactive: lenient(
    z.looseObject({
      type: z.string(),
      button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
      list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
    }),
  ),
  button: lenient(z.looseObject({ payload: z.string().optional(), text: z.string() })),
  reaction: lenient(z.looseObject({ message_id: z.string(), emoji: z.string().optional() })),
  errors: lenient(z.array(z.looseObject({ code: z.number() }))),
});

const KNOWN_STATUSES = ['sent', 'delivered', 'read', 'failed', 'played'] as const satisfies readonly DeliveryState[];

/** A usable status: of a state this build knows (a state Meta adds later is skipped, and counted). */
export const wireStatus = z.looseObject({
  id: channelMessageId,
  status: z.enum(KNOWN_STATUSES),
  timestamp: unixSeconds,
  recipient_id: z.string().min(1),
  pricing: lenient(z.looseObject({ billable: z.boolean().optional(), pricing_model: z.string().optional(), category: z.string().optional(), type: z.string().optional() })),
  errors: lenient(z.array(z.looseObject({ code: z.number(), title: z.string().optional() }))),
});

/** The `value` of a `messages` change: which business number it is for. Its items are judged one by one. */
export const messagesValue = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  // Only the business number matters; display_phone_number is not used and not judged.
  metadata: z.looseObject({ phone_number_id: z.string().min(1) }),
  contacts: lenient(z.array(z.looseObject({ wa_id: z.string(), profile: z.looseObject({ name: z.string().optional() }).optional() }))),
  messages: z.unknown().optional(),
  statuses: z.unknown().optional(),
});

export const change = z.looseObject({ field: z.string(), value: z.unknown().optional() });
export const entry = z.looseObject({ changes: z.array(z.unknown()) });

/** What makes a body a WhatsApp notification at all; anything less is a 400. */
export const notification = z.looseObject({ object: z.literal('whatsapp_business_account'), entry: z.array(z.unknown()) });

export type WireMessage = z.infer<typeof wireMessage>;
export type WireStatus = z.infer<typeof wireStatus>;

/** Where an issue is and what was expected; never the value received (it may be a number or text). */
export function summarise(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'item'}: ${issue.message}`)
    .join('; ');
}
