import { randomBytes, randomInt } from 'node:crypto';
import { sensitive } from './log-sink.js';

// WhatsApp Cloud API webhook notifications in Meta's wire shape (PROTOCOLS.md), with fresh ids.

export interface WhatsAppParties {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  /** The customer's wa_id. */
  customer: string;
  customerName: string;
}

const digits = (length: number) => Array.from({ length }, (_, i) => String(i === 0 ? randomInt(1, 10) : randomInt(0, 10))).join('');

export function someParties(): WhatsAppParties {
  return {
    wabaId: digits(15),
    phoneNumberId: digits(15),
    displayPhoneNumber: `1555${digits(7)}`,
    customer: sensitive(`49${digits(11)}`),
    customerName: 'Ada Lovelace',
  };
}

export const aWamid = (): string => `wamid.${randomBytes(30).toString('base64url')}`;

const unixSeconds = (ms = Date.now()) => String(Math.floor(ms / 1000));

function envelope(parties: WhatsAppParties, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: parties.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: parties.displayPhoneNumber, phone_number_id: parties.phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

export function textNotification(parties: WhatsAppParties, message: { id: string; body: string }) {
  sensitive(message.body);
  return envelope(parties, {
    contacts: [{ profile: { name: parties.customerName }, wa_id: parties.customer }],
    messages: [{ from: parties.customer, id: message.id, timestamp: unixSeconds(), type: 'text', text: { body: message.body } }],
  });
}

/** A voice note (`type: audio`, `voice: true`) whose media the Graph API serves under `mediaId`. */
export function voiceNotification(parties: WhatsAppParties, message: { id: string; mediaId: string }) {
  return envelope(parties, {
    contacts: [{ profile: { name: parties.customerName }, wa_id: parties.customer }],
    messages: [{ from: parties.customer, id: message.id, timestamp: unixSeconds(), type: 'audio', audio: { id: message.mediaId, mime_type: 'audio/ogg; codecs=opus', voice: true } }],
  });
}

/** What Meta says of a free service reply; a charged template says `{ pricing_model: 'PMP', category: 'utility', type: 'regular' }`. */
const SERVICE_PRICING = { billable: true, pricing_model: 'PMP', category: 'service' };

/** A status of one of our sends; a `failed` one carries Meta's error (by default 131026, undeliverable) and no pricing. */
export function statusNotification(
  parties: WhatsAppParties,
  outboundId: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  atMs = Date.now(),
  pricing: Record<string, unknown> = SERVICE_PRICING,
  errorCode = 131026,
) {
  if (status === 'failed') {
    const error = { code: errorCode, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'Message undeliverable' } };
    return envelope(parties, { statuses: [{ id: outboundId, status, timestamp: unixSeconds(atMs), recipient_id: parties.customer, errors: [error] }] });
  }
  return envelope(parties, {
    statuses: [
      {
        id: outboundId,
        status,
        timestamp: unixSeconds(atMs),
        recipient_id: parties.customer,
        pricing,
      },
    ],
  });
}
