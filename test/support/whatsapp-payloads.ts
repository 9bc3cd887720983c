import { randomBytes, randomInt } from 'node:crypto';

// Builders for WhatsApp Cloud API webhook bodies as Meta sends them (PROTOCOLS.md): ids and
// timestamps are strings, every message sits in entry[] × changes[] × value.messages[].

export const aPhoneNumberId = (): string => `10${randomInt(1e9, 1e10 - 1)}${randomInt(1000, 9999)}`;
export const aWaId = (): string => `49${randomInt(1e9, 1e10 - 1)}`;
export const aWamid = (): string => `wamid.HBgN${randomBytes(18).toString('base64url')}`;

export interface ValueOptions {
  phoneNumberId: string;
  displayPhoneNumber?: string;
  contacts?: { waId: string; name?: string }[];
  messages?: Record<string, unknown>[];
  statuses?: Record<string, unknown>[];
  errors?: Record<string, unknown>[];
}

/** The `value` of a `messages` change. */
export function messagesValue(options: ValueOptions): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: options.displayPhoneNumber ?? '15550001111', phone_number_id: options.phoneNumberId },
    ...(options.contacts ? { contacts: options.contacts.map((c) => ({ profile: c.name === undefined ? {} : { name: c.name }, wa_id: c.waId })) } : {}),
    ...(options.messages ? { messages: options.messages } : {}),
    ...(options.statuses ? { statuses: options.statuses } : {}),
    ...(options.errors ? { errors: options.errors } : {}),
  };
}

/** A whole notification: one entry per element, each with its changes. */
export function aNotification(entries: { wabaId?: string; changes: { field?: string; value: unknown }[] }[]): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: entries.map((entry) => ({
      id: entry.wabaId ?? String(randomInt(1e9, 1e10 - 1)),
      changes: entry.changes.map((change) => ({ field: change.field ?? 'messages', value: change.value })),
    })),
  };
}

/** A notification carrying one message (or several) of one person to one business number. */
export function aMessageNotification(options: { phoneNumberId?: string; from?: string; name?: string; messages: Record<string, unknown>[] }) {
  const phoneNumberId = options.phoneNumberId ?? aPhoneNumberId();
  const from = options.from ?? aWaId();
  return aNotification([
    {
      changes: [
        {
          value: messagesValue({
            phoneNumberId,
            contacts: [{ waId: from, name: options.name ?? 'Ada Lovelace' }],
            messages: options.messages.map((m) => ({ from, ...m })),
          }),
        },
      ],
    },
  ]);
}

/** A wire text message; `from` is filled in by `aMessageNotification` when omitted. */
export function wireText(body: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: aWamid(), timestamp: '1764072000', type: 'text', text: { body }, ...overrides };
}

export function wireStatus(status: string, recipientId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: aWamid(), status, timestamp: '1764072060', recipient_id: recipientId, ...overrides };
}

/**
 * Serialises like Meta does: every non-ASCII UTF-16 unit as a `\uXXXX` escape (emoji as escaped
 * surrogate pairs) and `/` as `\/`. The result is pure ASCII and differs from `JSON.stringify`.
 */
export function metaSerialise(body: unknown): string {
  return JSON.stringify(body)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
