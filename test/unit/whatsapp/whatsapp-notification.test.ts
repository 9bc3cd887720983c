import { describe, expect, it } from 'vitest';
import { inboundEventSchema } from '../../../src/adapters/codec/event-schemas.js';
import { NotificationFormatError, parseWhatsAppNotification } from '../../../src/adapters/whatsapp/whatsapp-notification.js';
import type { DeliveryStatus } from '../../../src/domain/model/delivery-status.js';
import { conversationIdFor } from '../../../src/domain/model/ids.js';
import type { InboundMessage, MessageContent } from '../../../src/domain/model/message.js';
import { aNotification, aPhoneNumberId, aWaId, aWamid, messagesValue, wireStatus, wireText } from '../../support/whatsapp-payloads.js';

const RECEIVED_AT = Date.UTC(2026, 10, 25, 12, 0, 5);
const SENT_SECONDS = '1764072000';
const SENT_AT = 1_764_072_000_000;

/** Parses one messages change holding `message` from `from`, as Meta would deliver it. */
function parseOne(message: Record<string, unknown>, options: { phoneNumberId: string; from: string; name?: string }) {
  const body = aNotification([
    {
      changes: [
        {
          value: messagesValue({
            phoneNumberId: options.phoneNumberId,
            contacts: [{ waId: options.from, name: options.name ?? 'Sam Customer' }],
            messages: [{ from: options.from, id: aWamid(), timestamp: SENT_SECONDS, ...message }],
          }),
        },
      ],
    },
  ]);
  return parseWhatsAppNotification(JSON.parse(JSON.stringify(body)), RECEIVED_AT);
}

type MessageCase = [name: string, wire: Record<string, unknown>, content: MessageContent, context?: InboundMessage['context']];

// One realistic `messages[]` item per type of PROTOCOLS.md, in Meta's documented shape.
const MESSAGE_CASES: MessageCase[] = [
  ['text', { type: 'text', text: { body: 'Hi! Do you deliver on Sundays?' } }, { type: 'text', body: 'Hi! Do you deliver on Sundays?' }],
  [
    'image with caption',
    { type: 'image', image: { caption: 'the broken part', mime_type: 'image/jpeg', sha256: 'Zt2yvUk9Nq0m0E0j4oqE1mcb8qM8Uc0=', id: '1479537139650973' } },
    { type: 'image', mediaId: '1479537139650973', mimeType: 'image/jpeg', caption: 'the broken part' },
  ],
  [
    'image without caption',
    { type: 'image', image: { mime_type: 'image/jpeg', sha256: 'abc=', id: '1479537139650974' } },
    { type: 'image', mediaId: '1479537139650974', mimeType: 'image/jpeg' },
  ],
  [
    'video',
    { type: 'video', video: { mime_type: 'video/mp4', sha256: 'def=', id: '2479537139650973' } },
    { type: 'video', mediaId: '2479537139650973', mimeType: 'video/mp4' },
  ],
  [
    'audio voice note',
    { type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'ghi=', id: '3479537139650973', voice: true } },
    { type: 'audio', voice: true, mediaId: '3479537139650973', mimeType: 'audio/ogg; codecs=opus' },
  ],
  [
    'audio file (no voice flag)',
    { type: 'audio', audio: { mime_type: 'audio/mpeg', sha256: 'jkl=', id: '3479537139650974' } },
    { type: 'audio', voice: false, mediaId: '3479537139650974', mimeType: 'audio/mpeg' },
  ],
  [
    'document with filename',
    { type: 'document', document: { caption: 'my invoice', filename: 'invoice-2026-11.pdf', mime_type: 'application/pdf', sha256: 'mno=', id: '4479537139650973' } },
    { type: 'document', mediaId: '4479537139650973', mimeType: 'application/pdf', caption: 'my invoice', filename: 'invoice-2026-11.pdf' },
  ],
  [
    'sticker',
    { type: 'sticker', sticker: { mime_type: 'image/webp', sha256: 'pqr=', id: '5479537139650973', animated: true } },
    { type: 'sticker', animated: true, mediaId: '5479537139650973', mimeType: 'image/webp' },
  ],
  [
    'location',
    { type: 'location', location: { latitude: 52.520008, longitude: 13.404954, name: 'Alexanderplatz', address: 'Alexanderplatz, 10178 Berlin' } },
    { type: 'location', latitude: 52.520008, longitude: 13.404954, name: 'Alexanderplatz', address: 'Alexanderplatz, 10178 Berlin' },
  ],
  [
    'location pin without a name',
    { type: 'location', location: { latitude: -33.8688, longitude: 151.2093 } },
    { type: 'location', latitude: -33.8688, longitude: 151.2093 },
  ],
  [
    'contacts',
    {
      type: 'contacts',
      contacts: [
        {
          name: { formatted_name: 'Ada Lovelace', first_name: 'Ada', last_name: 'Lovelace' },
          phones: [
            { phone: '+44 20 7946 0018', wa_id: '442079460018', type: 'CELL' },
            { phone: '+44 20 7946 0019', type: 'WORK' },
          ],
          emails: [{ email: 'ada@example.com', type: 'WORK' }],
        },
        { name: { formatted_name: 'Charles Babbage' }, phones: [] },
      ],
    },
    {
      type: 'contacts',
      contacts: [
        { name: 'Ada Lovelace', phones: ['+44 20 7946 0018', '+44 20 7946 0019'] },
        { name: 'Charles Babbage', phones: [] },
      ],
    },
  ],
  [
    'interactive button_reply',
    { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'confirm-yes', title: 'Yes, confirm' } } },
    { type: 'interactive', kind: 'button_reply', replyId: 'confirm-yes', title: 'Yes, confirm' },
  ],
  [
    'interactive list_reply',
    { type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'slot-0900', title: '09:00', description: 'Tomorrow morning' } } },
    { type: 'interactive', kind: 'list_reply', replyId: 'slot-0900', title: '09:00', description: 'Tomorrow morning' },
  ],
  [
    'button (template quick reply)',
    { type: 'button', context: { from: '15550001111', id: 'wamid.template-1' }, button: { payload: 'STOP_PROMOTIONS', text: 'Stop promotions' } },
    { type: 'button', payload: 'STOP_PROMOTIONS', text: 'Stop promotions' },
    { replyToMessageId: 'wamid.template-1' },
  ],
  [
    'reaction',
    { type: 'reaction', reaction: { message_id: 'wamid.reply-1', emoji: '👍' } },
    { type: 'reaction', messageId: 'wamid.reply-1', emoji: '👍' },
  ],
  [
    'reaction removal (emoji omitted)',
    { type: 'reaction', reaction: { message_id: 'wamid.reply-2' } },
    { type: 'reaction', messageId: 'wamid.reply-2' },
  ],
  [
    'reaction removal (empty emoji)',
    { type: 'reaction', reaction: { message_id: 'wamid.reply-3', emoji: '' } },
    { type: 'reaction', messageId: 'wamid.reply-3' },
  ],
  [
    'unsupported with error 131051',
    {
      type: 'unsupported',
      errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }],
    },
    { type: 'unsupported', errorCode: 131051 },
  ],
  ['a type this build does not know', { type: 'order', order: { catalog_id: '1', product_items: [] } }, { type: 'unsupported' }],
  [
    'text replying to an earlier message',
    { type: 'text', context: { from: '15550001111', id: 'wamid.earlier-reply' }, text: { body: 'yes, that one' } },
    { type: 'text', body: 'yes, that one' },
    { replyToMessageId: 'wamid.earlier-reply' },
  ],
  [
    'forwarded text',
    { type: 'text', context: { forwarded: true }, text: { body: 'look at this' } },
    { type: 'text', body: 'look at this' },
    { forwarded: true },
  ],
  [
    'frequently forwarded image',
    { type: 'image', context: { forwarded: true, frequently_forwarded: true }, image: { mime_type: 'image/png', sha256: 'x=', id: '9' } },
    { type: 'image', mediaId: '9', mimeType: 'image/png' },
    { forwarded: true },
  ],
];

describe('parseWhatsAppNotification (messages)', () => {
  it.each(MESSAGE_CASES)('parses a %s message into the domain message', (_, wire, content, context) => {
    const phoneNumberId = aPhoneNumberId();
    const from = aWaId();

    const { messages, statuses } = parseOne(wire, { phoneNumberId, from, name: 'Sam Customer' });

    expect(statuses).toEqual([]);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message!.content).toEqual(content);
    expect(message!.context).toEqual(context);
    expect(message).toMatchObject({
      channel: 'whatsapp',
      accountId: phoneNumberId,
      conversationId: conversationIdFor('whatsapp', phoneNumberId, from),
      participant: { id: from, name: 'Sam Customer' },
      sentAt: SENT_AT,
      receivedAt: RECEIVED_AT,
    });
  });

  it.each(MESSAGE_CASES)('yields a %s event the worker can decode after it crossed the wire as JSON', (_, wire) => {
    const [message] = parseOne(wire, { phoneNumberId: aPhoneNumberId(), from: aWaId() }).messages;
    const onTheWire = JSON.parse(JSON.stringify({ kind: 'message', message })) as unknown;

    const decoded = inboundEventSchema.safeParse(onTheWire);

    expect(decoded.error?.issues).toBeUndefined();
    expect(decoded.data).toEqual(onTheWire);
  });

  it('keeps the wamid as the message id when parsing', () => {
    const id = aWamid();

    const { messages } = parseOne({ id, type: 'text', text: { body: 'x' } }, { phoneNumberId: aPhoneNumberId(), from: aWaId() });

    expect(messages[0]!.id).toBe(id);
  });

  it('leaves the participant name out when the contact has no profile name', () => {
    const from = aWaId();
    const body = aNotification([
      { changes: [{ value: messagesValue({ phoneNumberId: aPhoneNumberId(), contacts: [{ waId: from }], messages: [{ from, id: aWamid(), timestamp: SENT_SECONDS, type: 'text', text: { body: 'hi' } }] }) }] },
    ]);

    const [message] = parseWhatsAppNotification(body, RECEIVED_AT).messages;

    expect(message!.participant).toEqual({ id: from });
  });
});

type StatusCase = [name: string, wire: Record<string, unknown>, expected: Partial<DeliveryStatus>];

const pricing = { billable: true, pricing_model: 'PMP', category: 'service', type: 'regular' };
const conversation = { id: 'f3c7b0c1a2', origin: { type: 'service' }, expiration_timestamp: '1764158400' };

// One realistic `statuses[]` item per state of PROTOCOLS.md.
const STATUS_CASES: StatusCase[] = [
  ['sent with pricing', { status: 'sent', conversation, pricing }, { status: 'sent', pricing: { billable: true, model: 'PMP', category: 'service', type: 'regular' } }],
  ['delivered', { status: 'delivered', conversation, pricing }, { status: 'delivered', pricing: { billable: true, model: 'PMP', category: 'service', type: 'regular' } }],
  ['read (no pricing)', { status: 'read' }, { status: 'read' }],
  ['played (voice)', { status: 'played' }, { status: 'played' }],
  [
    'failed with errors',
    {
      status: 'failed',
      errors: [
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
          href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
        },
      ],
    },
    { status: 'failed', errors: [{ code: 131047, title: 'Re-engagement message' }], failureReason: 'outside_service_window' },
  ],
  [
    // A code that is no Graph code names no reason: the status is still applied, as failed without one.
    'failed with an error code that is not a Graph code',
    { status: 'failed', errors: [{ code: -1e308, title: 'Message undeliverable' }] },
    { status: 'failed', errors: [{ code: -1e308, title: 'Message undeliverable' }] },
  ],
  [
    'sent with pricing but not billable',
    { status: 'sent', pricing: { billable: false, pricing_model: 'PMP', category: 'service' } },
    { status: 'sent', pricing: { billable: false, model: 'PMP', category: 'service' } },
  ],
];

describe('parseWhatsAppNotification (statuses)', () => {
  it.each(STATUS_CASES)('parses a %s status into a delivery status', (_, wire, expected) => {
    const phoneNumberId = aPhoneNumberId();
    const recipient = aWaId();
    const id = aWamid();
    const body = aNotification([
      { changes: [{ value: messagesValue({ phoneNumberId, statuses: [{ id, timestamp: '1764072060', recipient_id: recipient, ...wire }] }) }] },
    ]);

    const { messages, statuses } = parseWhatsAppNotification(body, RECEIVED_AT);

    expect(messages).toEqual([]);
    expect(inboundEventSchema.safeParse(JSON.parse(JSON.stringify({ kind: 'status', status: statuses[0] }))).success).toBe(true);
    expect(statuses).toEqual([
      {
        outboundId: id,
        channel: 'whatsapp',
        accountId: phoneNumberId,
        conversationId: conversationIdFor('whatsapp', phoneNumberId, recipient),
        recipientId: recipient,
        at: 1_764_072_060_000,
        ...expected,
      },
    ]);
  });
});

describe('parseWhatsAppNotification (batches)', () => {
  it('parses every entry × change × message and status in order when a notification is batched', () => {
    const [phoneA, phoneB] = [aPhoneNumberId(), aPhoneNumberId()];
    const [ana, ben, cai] = [aWaId(), aWaId(), aWaId()];
    const ids = Array.from({ length: 6 }, aWamid);
    const text = (id: string, from: string, body: string) => ({ from, id, timestamp: SENT_SECONDS, type: 'text', text: { body } });
    const body = aNotification([
      {
        changes: [
          {
            value: messagesValue({
              phoneNumberId: phoneA,
              contacts: [{ waId: ana, name: 'Ana' }, { waId: ben, name: 'Ben' }],
              messages: [text(ids[0]!, ana, 'a1'), text(ids[1]!, ben, 'b1'), text(ids[2]!, ana, 'a2')],
            }),
          },
          { field: 'account_update', value: { phone_number: '15550001111', event: 'VERIFIED_ACCOUNT' } },
          { value: messagesValue({ phoneNumberId: phoneA, statuses: [{ id: ids[3], status: 'read', timestamp: '1764072100', recipient_id: ben }] }) },
        ],
      },
      {
        changes: [
          { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1 } },
          {
            value: messagesValue({
              phoneNumberId: phoneB,
              contacts: [{ waId: cai, name: 'Cai' }],
              messages: [text(ids[4]!, cai, 'c1')],
              statuses: [{ id: ids[5], status: 'delivered', timestamp: '1764072200', recipient_id: cai }],
            }),
          },
        ],
      },
    ]);

    const { messages, statuses } = parseWhatsAppNotification(body, RECEIVED_AT);

    expect(messages.map((m) => [m.id, m.accountId, m.participant, m.conversationId, m.content])).toEqual([
      [ids[0], phoneA, { id: ana, name: 'Ana' }, conversationIdFor('whatsapp', phoneA, ana), { type: 'text', body: 'a1' }],
      [ids[1], phoneA, { id: ben, name: 'Ben' }, conversationIdFor('whatsapp', phoneA, ben), { type: 'text', body: 'b1' }],
      [ids[2], phoneA, { id: ana, name: 'Ana' }, conversationIdFor('whatsapp', phoneA, ana), { type: 'text', body: 'a2' }],
      [ids[4], phoneB, { id: cai, name: 'Cai' }, conversationIdFor('whatsapp', phoneB, cai), { type: 'text', body: 'c1' }],
    ]);
    expect(statuses.map((s) => [s.outboundId, s.status, s.accountId, s.conversationId])).toEqual([
      [ids[3], 'read', phoneA, conversationIdFor('whatsapp', phoneA, ben)],
      [ids[5], 'delivered', phoneB, conversationIdFor('whatsapp', phoneB, cai)],
    ]);
  });

  it('gives the same person two conversations when they write to two business numbers', () => {
    const from = aWaId();
    const [a, b] = [aPhoneNumberId(), aPhoneNumberId()];

    const first = parseOne({ type: 'text', text: { body: 'x' } }, { phoneNumberId: a, from }).messages[0]!;
    const second = parseOne({ type: 'text', text: { body: 'x' } }, { phoneNumberId: b, from }).messages[0]!;

    expect(first.conversationId).not.toBe(second.conversationId);
  });

  it('returns nothing when a messages change carries only system errors', () => {
    const body = aNotification([
      {
        changes: [
          {
            value: messagesValue({
              phoneNumberId: aPhoneNumberId(),
              errors: [{ code: 131000, title: 'Something went wrong', message: 'Something went wrong', error_data: { details: 'retry' } }],
            }),
          },
        ],
      },
    ]);

    expect(parseWhatsAppNotification(body, RECEIVED_AT)).toEqual({ messages: [], statuses: [], skipped: [] });
  });

  it('skips a status it does not know and keeps the rest of the batch when Meta adds a new status value', () => {
    const phoneNumberId = aPhoneNumberId();
    const customer = aWaId();
    const body = aNotification([
      {
        changes: [
          {
            value: messagesValue({
              phoneNumberId,
              contacts: [{ waId: customer, name: 'Ada' }],
              messages: [wireText('still answered', { from: customer })],
              statuses: [wireStatus('deleted', customer), wireStatus('read', customer)],
            }),
          },
        ],
      },
    ]);

    const parsed = parseWhatsAppNotification(body, RECEIVED_AT);

    expect(parsed.messages).toHaveLength(1);
    expect(parsed.statuses.map((status) => status.status)).toEqual(['read']);
    expect(parsed.skipped).toEqual([{ at: 'entry[0].changes[0].value.statuses[0]', reason: expect.stringMatching(/status/) }]);
  });

  it('returns nothing when the entry list is empty', () => {
    expect(parseWhatsAppNotification({ object: 'whatsapp_business_account', entry: [] }, RECEIVED_AT)).toEqual({ messages: [], statuses: [], skipped: [] });
  });
});

describe('parseWhatsAppNotification (rejections)', () => {
  it.each([
    ['null', null],
    ['an array', []],
    ['another object type', { object: 'page', entry: [] }],
    ['an envelope without entry', { object: 'whatsapp_business_account' }],
    ['an envelope whose entry is not a list', { object: 'whatsapp_business_account', entry: { id: '1', changes: [] } }],
  ])('throws a NotificationFormatError when the body is %s', (_, body) => {
    expect(() => parseWhatsAppNotification(body, RECEIVED_AT)).toThrow(NotificationFormatError);
  });
});

describe('parseWhatsAppNotification (unusable items)', () => {
  const text = (from: string | undefined, body: string) => ({ ...(from === undefined ? {} : { from }), id: aWamid(), timestamp: SENT_SECONDS, type: 'text', text: { body } });

  it('keeps every usable message of a batch and reports the one without a sender when the second change holds a message without from', () => {
    const [phoneA, phoneB] = [aPhoneNumberId(), aPhoneNumberId()];
    const [ana, ben, cai] = [aWaId(), aWaId(), aWaId()];
    const [a1, b1, anonymous, b2, c1] = [text(ana, 'a1'), text(ben, 'b1'), text(undefined, 'who am I'), text(ben, 'b2'), text(cai, 'c1')];
    const read = wireStatus('read', cai);
    const body = aNotification([
      {
        changes: [
          { value: messagesValue({ phoneNumberId: phoneA, contacts: [{ waId: ana, name: 'Ana' }], messages: [a1] }) },
          { value: messagesValue({ phoneNumberId: phoneA, contacts: [{ waId: ben, name: 'Ben' }], messages: [b1, anonymous, b2] }) },
        ],
      },
      {
        changes: [
          { value: messagesValue({ phoneNumberId: phoneB, contacts: [{ waId: cai, name: 'Cai' }], messages: [c1] }) },
          { value: messagesValue({ phoneNumberId: phoneB, statuses: [read] }) },
        ],
      },
    ]);

    const parsed = parseWhatsAppNotification(JSON.parse(JSON.stringify(body)), RECEIVED_AT);

    expect(parsed.messages.map((m) => [m.id, m.participant.id, m.accountId])).toEqual([
      [a1.id, ana, phoneA],
      [b1.id, ben, phoneA],
      [b2.id, ben, phoneA],
      [c1.id, cai, phoneB],
    ]);
    expect(parsed.statuses.map((st) => st.outboundId)).toEqual([read.id]);
    expect(parsed.skipped).toEqual([{ at: 'entry[0].changes[1].value.messages[1]', reason: expect.stringMatching(/^from: /) }]);
  });

  it.each([
    ['a message with a numeric timestamp', { messages: [{ from: '2', id: 'wamid.n', timestamp: 1764072000, type: 'text', text: { body: 'x' } }] }, 'value.messages[0]', /timestamp/],
    ['a message without an id', { messages: [{ from: '2', timestamp: SENT_SECONDS, type: 'text', text: { body: 'x' } }] }, 'value.messages[0]', /id/],
    ['a message whose id is over 256 characters', { messages: [{ from: '2', id: `wamid.${'x'.repeat(251)}`, timestamp: SENT_SECONDS, type: 'text', text: { body: 'x' } }] }, 'value.messages[0]', /id/],
    ['a message that is not an object', { messages: ['hello'] }, 'value.messages[0]', /.+/],
    ['a status without a recipient', { statuses: [{ id: 'wamid.s', status: 'read', timestamp: SENT_SECONDS }] }, 'value.statuses[0]', /recipient_id/],
    ['a status value Meta added later', { statuses: [{ id: 'wamid.s', status: 'deleted', timestamp: SENT_SECONDS, recipient_id: '2' }] }, 'value.statuses[0]', /status/],
    ['messages that are not a list', { messages: { 0: { from: '2' } } }, 'value.messages', /.+/],
  ])('skips %s, reports where and why, and keeps the message next to it', (_, items, at, reason) => {
    const phoneNumberId = aPhoneNumberId();
    const good = text(aWaId(), 'still answered');
    const body = aNotification([
      { changes: [{ value: { ...messagesValue({ phoneNumberId }), ...items } }, { value: messagesValue({ phoneNumberId, messages: [good] }) }] },
    ]);

    const parsed = parseWhatsAppNotification(body, RECEIVED_AT);

    expect(parsed.messages.map((m) => m.id)).toEqual([good.id]);
    expect(parsed.statuses).toEqual([]);
    expect(parsed.skipped).toEqual([{ at: `entry[0].changes[0].${at}`, reason: expect.stringMatching(reason) }]);
  });

  it.each([
    ['a change without a value phone_number_id', { messaging_product: 'whatsapp', metadata: {}, messages: [text('2', 'lost')] }],
    ['a change of another messaging product', { ...messagesValue({ phoneNumberId: '1' }), messaging_product: 'instagram', messages: [text('2', 'lost')] }],
    ['a change whose value is not an object', 'hello'],
  ])('skips %s as one unusable item and keeps the other changes', (_, value) => {
    const good = text(aWaId(), 'still answered');
    const body = aNotification([{ changes: [{ value }, { value: messagesValue({ phoneNumberId: aPhoneNumberId(), messages: [good] }) }] }]);

    const parsed = parseWhatsAppNotification(body, RECEIVED_AT);

    expect(parsed.messages.map((m) => m.id)).toEqual([good.id]);
    expect(parsed.skipped).toEqual([{ at: 'entry[0].changes[0].value', reason: expect.any(String) }]);
  });

  it('skips an entry without changes and keeps the next entry', () => {
    const good = text(aWaId(), 'still answered');
    const body = { object: 'whatsapp_business_account', entry: [{ id: '1' }, ...(aNotification([{ changes: [{ value: messagesValue({ phoneNumberId: aPhoneNumberId(), messages: [good] }) }] }]).entry as unknown[])] };

    const parsed = parseWhatsAppNotification(body, RECEIVED_AT);

    expect(parsed.messages.map((m) => m.id)).toEqual([good.id]);
    expect(parsed.skipped).toEqual([{ at: 'entry[0]', reason: expect.stringMatching(/changes/) }]);
  });

  it('publishes a message whose type payload is malformed as unsupported content instead of dropping it', () => {
    const from = aWaId();
    const [message] = parseOne({ type: 'text', text: { body: 42 } }, { phoneNumberId: aPhoneNumberId(), from }).messages;

    expect(message).toMatchObject({ participant: { id: from }, content: { type: 'unsupported' } });
  });

  it('never puts the text or the sender of a skipped item in its reason', () => {
    const secretText = 'my card number is 4111';
    const sender = aWaId();
    const body = aNotification([
      {
        changes: [
          {
            value: messagesValue({
              phoneNumberId: aPhoneNumberId(),
              messages: [
                { from: sender, id: aWamid(), timestamp: secretText, type: 'text', text: { body: secretText } },
                { from: 4915112345678, id: aWamid(), timestamp: SENT_SECONDS, type: 'text', text: { body: secretText } },
              ],
              statuses: [{ id: aWamid(), status: secretText, timestamp: SENT_SECONDS, recipient_id: sender }],
            }),
          },
        ],
      },
    ]);

    const { skipped } = parseWhatsAppNotification(body, RECEIVED_AT);

    expect(skipped).toHaveLength(3);
    expect(JSON.stringify(skipped)).not.toContain('4111');
    expect(JSON.stringify(skipped)).not.toContain(sender);
    expect(JSON.stringify(skipped)).not.toContain('4915112345678');
  });
});
