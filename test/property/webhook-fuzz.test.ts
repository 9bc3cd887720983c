import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundEventSchema, interactionEventSchema } from '../../src/adapters/codec/event-schemas.js';
import type { InboundEvent } from '../../src/domain/model/events.js';
import { roleHarness, TEST_API_SECRET, TEST_APP_SECRET, type RoleHarness } from '../support/role-harness.js';
import { metaSignature } from '../support/signing.js';
import { metaSerialise } from '../support/whatsapp-payloads.js';

// Property-based fuzzing of both webhook routes through the real ROLE=all app, with VALIDLY signed
// but malformed bodies (CONTRACT.md, Listener). For every request:
//   - the answer is never a 5xx, and is one of the contract's statuses for a signed body;
//   - a 4xx published nothing (no publish attempt, no new message on any topic);
//   - a 2xx published only events the worker can decode (inboundEventSchema), after the JSON
//     round trip every bus applies; for WhatsApp exactly one event per message/status of every
//     `messages` change, for the API channel exactly one message.
// One app per test; published counts are compared before and after each request.

const WHATSAPP_RUNS = { json: 1_500, mutation: 2_000, field: 1_250, bytes: 1_250 };
const API_RUNS = { json: 1_000, mutation: 1_500, field: 750, bytes: 750 };

const API_BODY_LIMIT = 64 * 1024;

const utf8 = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// A JSON mutation engine: random paths of a valid document get deleted or replaced with values of
// the wrong shape. Raw tokens JSON.stringify cannot write (1e999, -0, 30-digit integers) are
// placed as sentinel strings and substituted in the serialised text.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

// Raw tokens are registered once; the document carries `\u0000raw:<index>` in their place.
const RAW_TOKENS: string[] = [];
const raw = (token: string): string => {
  const index = RAW_TOKENS.includes(token) ? RAW_TOKENS.indexOf(token) : RAW_TOKENS.push(token) - 1;
  return `\u0000raw:${index}`;
};

function serialise(value: unknown, style: 'plain' | 'meta'): string {
  const text = style === 'meta' ? metaSerialise(value) : JSON.stringify(value);
  // The sentinel's NUL is written as \u0000 by both serialisers.
  return text.replace(/"\\u0000raw:(\d+)"/g, (_, index: string) => RAW_TOKENS[Number(index)]!);
}

function pathsOf(value: Json, prefix: Path = []): Path[] {
  const here: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => here.push(...pathsOf(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) here.push(...pathsOf(v, [...prefix, k]));
  return here;
}

type Mutation = { op: 'delete' } | { op: 'replace'; value: Json } | { op: 'wrap' } | { op: 'add'; key: string; value: Json } | { op: 'empty' };

function mutate(doc: Json, path: Path, mutation: Mutation): Json {
  if (path.length === 0) {
    switch (mutation.op) {
      case 'replace':
        return mutation.value;
      case 'wrap':
        return [doc];
      case 'empty':
        return Array.isArray(doc) ? [] : {};
      case 'add':
        return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? { ...doc, [mutation.key]: mutation.value } : doc;
      case 'delete':
        return doc;
    }
  }
  const [head, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(doc)) {
    const copy = [...doc];
    if (rest.length === 0 && mutation.op === 'delete') copy.splice(head as number, 1);
    else copy[head as number] = mutate(copy[head as number] as Json, rest, mutation);
    return copy;
  }
  if (doc !== null && typeof doc === 'object') {
    const copy: { [key: string]: Json } = { ...doc };
    if (rest.length === 0 && mutation.op === 'delete') delete copy[head as string];
    // defineProperty, not assignment: a `__proto__` key must stay an own property.
    else Object.defineProperty(copy, head, { value: mutate(copy[head as string] as Json, rest, mutation), enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return doc;
}

/**
 * A step picks a path by index: among every path of the document, or (targeted) among the paths
 * ending in a field the route's schema knows, so the interesting fields are hit often.
 */
type Step = [pick: number, targeted: boolean, mutation: Mutation];

const applyMutations = (doc: Json, steps: Step[], targetKeys: ReadonlySet<string>): Json =>
  steps.reduce((current, [pick, targeted, mutation]) => {
    const all = pathsOf(current);
    const targets = targeted ? all.filter((path) => targetKeys.has(String(path.at(-1)))) : [];
    const paths = targets.length > 0 ? targets : all;
    return mutate(current, paths[pick % paths.length]!, mutation);
  }, doc);

const stepsArb = (mutation: fc.Arbitrary<Mutation>, maxLength: number): fc.Arbitrary<Step[]> =>
  fc.array(fc.tuple(fc.nat(), fc.boolean(), mutation), { minLength: 1, maxLength });

/**
 * Field-aware edits: the n-th occurrence (modulo) of a named field gets a boundary value of that
 * field's kind. Keyed by name rather than by path index, so counterexamples shrink well.
 */
type FieldEdit = [key: string, occurrence: number, value: Json];

const applyFieldEdits = (doc: Json, edits: FieldEdit[]): Json =>
  edits.reduce((current, [key, occurrence, value]) => {
    const paths = pathsOf(current).filter((path) => path.at(-1) === key);
    return paths.length === 0 ? current : mutate(current, paths[occurrence % paths.length]!, { op: 'replace', value });
  }, doc);

const fieldEditsArb = (kinds: { keys: readonly string[]; values: fc.Arbitrary<Json> }[], maxLength: number): fc.Arbitrary<FieldEdit[]> =>
  fc.array(fc.oneof(...kinds.map(({ keys, values }) => fc.tuple(fc.constantFrom(...keys), fc.nat(), values))), { minLength: 1, maxLength });

const WRONG_TYPES: Json[] = [null, true, 0, 1, '', [], {}, [{}], [null]];
const hugeDigits = fc.integer({ min: 1, max: 400 }).map((n) => '9'.repeat(n));
const stringBoundaries = fc.oneof(
  fc.constantFrom<Json>(...WRONG_TYPES, ' ', '\u0000', 'x'.repeat(5000), raw('"\\ud800"'), raw('"\\udfff\\ud800x"'), raw('"\\u0000"')),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const numberBoundaries = fc.constantFrom<Json>(
  ...WRONG_TYPES,
  '1',
  1e308,
  -1e308,
  5e-324,
  Number.MAX_SAFE_INTEGER + 2,
  raw('1e999'),
  raw('-1e999'),
  raw('-0'),
  raw('123456789012345678901234567890'),
  raw('1E+400'),
);

/** Values of every wrong shape, tailored with extra values a route should meet. */
const badValue = (extra: fc.Arbitrary<Json>): fc.Arbitrary<Json> =>
  fc.oneof(
    fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, '', ' ', [], {}, [{}], [null], 'null', '0', '-1', '1.5', '1e3'),
    fc.constantFrom<Json>(
      // huge numbers, as numbers and as the digit strings Meta uses for ids and timestamps
      1e308,
      -1e308,
      Number.MAX_SAFE_INTEGER + 2,
      5e-324,
      raw('1e999'),
      raw('-1e999'),
      raw('-0'),
      raw('123456789012345678901234567890'),
      '9'.repeat(20),
      '9'.repeat(400),
      '0'.repeat(50),
      '17640720000000',
    ),
    fc.nat({ max: 400 }).map((n) => '9'.repeat(n + 1)),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom<Json>('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
    fc.constantFrom<Json>({ __proto__: null, polluted: true } as unknown as Json, JSON.parse('{"__proto__":{"polluted":true}}') as Json),
    fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
    extra,
  );

const mutationArb = (extra: fc.Arbitrary<Json>, keys: fc.Arbitrary<string>): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant<Mutation>({ op: 'delete' }) },
    { weight: 5, arbitrary: badValue(extra).map((value): Mutation => ({ op: 'replace', value })) },
    { weight: 1, arbitrary: fc.constant<Mutation>({ op: 'wrap' }) },
    { weight: 1, arbitrary: fc.constant<Mutation>({ op: 'empty' }) },
    { weight: 1, arbitrary: fc.tuple(keys, badValue(extra)).map(([key, value]): Mutation => ({ op: 'add', key, value })) },
  );

/** Arbitrary bytes, plus valid bodies with invalid UTF-8 / stray bytes spliced in. */
const INVALID_UTF8: number[][] = [[0xff], [0xfe], [0xc0, 0xaf], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xef, 0xbb, 0xbf], [0x00], [0x0a]];

const bytesArb = (validBody: fc.Arbitrary<string>): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    fc.uint8Array({ maxLength: 600 }),
    fc.string({ unit: 'binary', maxLength: 200 }).map((s) => utf8.encode(s)),
    fc
      .tuple(validBody, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INVALID_UTF8)), { minLength: 1, maxLength: 3 }))
      .map(([body, splices]) =>
        splices.reduce<Uint8Array>((bytes, [at, insert]) => {
          const i = at % (bytes.length + 1);
          return Uint8Array.from([...bytes.subarray(0, i), ...insert, ...bytes.subarray(i)]);
        }, utf8.encode(body)),
      ),
    fc.tuple(validBody, fc.nat()).map(([body, at]) => utf8.encode(body).subarray(0, at % (body.length + 1))), // truncated
  );

// ---------------------------------------------------------------------------------------------
// Checking one request against the properties.

interface Published {
  inbound: number;
  interactions: number;
  attempts: number;
}

const countsOf = (h: RoleHarness): Published => ({
  inbound: h.bus.published('inbound').length,
  interactions: h.bus.published('interactions').length,
  attempts: h.bus.attempts.length,
});

/** The statuses one test saw, so a generator that only ever produces 400s cannot pass unnoticed. */
type Tally = Record<number, number>;
const tally = (t: Tally, status: number) => {
  t[status] = (t[status] ?? 0) + 1;
};

async function checkResponse(h: RoleHarness, res: Response, before: Published, allowed: readonly number[], success: number): Promise<InboundEvent[]> {
  expect(res.status).toBeLessThan(500);
  expect(allowed).toContain(res.status);
  const after = countsOf(h);
  if (res.status >= 400) {
    expect(after).toEqual(before);
    return [];
  }
  expect(res.status).toBe(success);
  const events = h.bus.events('inbound').slice(before.inbound);
  for (const event of events) {
    const decoded = inboundEventSchema.safeParse(event);
    expect(decoded.success, `published an event the worker cannot decode: ${JSON.stringify(event)} — ${decoded.error?.message ?? ''}`).toBe(true);
  }
  for (const event of h.bus.events('interactions').slice(before.interactions)) expect(interactionEventSchema.safeParse(event).success).toBe(true);
  return events;
}

const KNOWN_STATUSES = new Set(['sent', 'delivered', 'read', 'failed', 'played']);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const nonEmptyString = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
const unixSeconds = (value: unknown): boolean => typeof value === 'string' && /^\d{1,11}$/.test(value);
/** CONTRACT.md: a channel's message id is 1–256 printable ASCII characters. */
const channelId = (value: unknown): boolean => typeof value === 'string' && /^[\x21-\x7e]{1,256}$/.test(value);
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * What the contract says a notification holds (CONTRACT.md, Listener: one unusable item never
 * costs the others): one event per usable message (a sender, an id, a time) and per usable status
 * of a known state, in every `messages` change that names its business number. Everything else in
 * the batch is skipped, and the rest still published.
 */
function expectedEventCount(body: unknown): number {
  const entries = listOf((body as { entry: unknown }).entry);
  return entries
    .flatMap((entry) => (isObject(entry) ? listOf(entry.changes) : []))
    .filter((change) => isObject(change) && change.field === 'messages')
    .map((change) => (change as { value: unknown }).value)
    .filter((value): value is Record<string, unknown> => isObject(value) && value.messaging_product === 'whatsapp' && isObject(value.metadata) && nonEmptyString(value.metadata.phone_number_id))
    .reduce((sum, value) => {
      const messages = listOf(value.messages).filter((m) => isObject(m) && nonEmptyString(m.from) && channelId(m.id) && unixSeconds(m.timestamp));
      const statuses = listOf(value.statuses).filter(
        (st) => isObject(st) && channelId(st.id) && KNOWN_STATUSES.has(st.status as string) && unixSeconds(st.timestamp) && nonEmptyString(st.recipient_id),
      );
      return sum + messages.length + statuses.length;
    }, 0);
}

// ---------------------------------------------------------------------------------------------
// WhatsApp: a valid notification generator and its mutations.

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[1-9]\\d{${min - 1},${max - 1}}$`));
const wamid = fc.stringMatching(/^wamid\.[A-Za-z0-9_-]{8,24}$/);
const waTimestamp = fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }).map(String);
const someText = fc.string({ unit: 'grapheme', maxLength: 16 });

// No `chain`: plain records shrink well, so a counterexample comes back small. The sender is
// filled in when the change is assembled.
const wireMessageArb: fc.Arbitrary<Record<string, Json>> = fc
  .record({
      id: wamid,
      timestamp: waTimestamp,
      content: fc.oneof(
        someText.map((body) => ({ type: 'text', text: { body } })),
        someText.map((caption) => ({ type: 'image', image: { caption, mime_type: 'image/jpeg', sha256: 'h', id: '111' } })),
        fc.constant({ type: 'audio', audio: { mime_type: 'audio/ogg', id: '222', voice: true } }),
        someText.map((filename) => ({ type: 'document', document: { filename, mime_type: 'application/pdf', id: '333' } })),
        fc.constant({ type: 'sticker', sticker: { mime_type: 'image/webp', id: '444', animated: false } }),
        fc
          .record({ latitude: fc.double({ min: -90, max: 90, noNaN: true }), longitude: fc.double({ min: -180, max: 180, noNaN: true }), name: someText })
          .map((location) => ({ type: 'location', location })),
        someText.map((name) => ({ type: 'contacts', contacts: [{ name: { formatted_name: name }, phones: [{ phone: '+4915112345678' }] }] })),
        someText.map((title) => ({ type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'b1', title } } })),
        someText.map((title) => ({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'l1', title, description: 'd' } } })),
        someText.map((text) => ({ type: 'button', button: { payload: 'p', text } })),
        fc.constantFrom('👍', '').map((emoji) => ({ type: 'reaction', reaction: { message_id: 'wamid.x', emoji } })),
        fc.constant({ type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] }),
      ),
      context: fc.option(fc.oneof(fc.constant({ from: '491510000000', id: 'wamid.ctx' }), fc.constant({ forwarded: true })), { nil: undefined }),
    })
    .map(({ id, timestamp, content, context }) => ({ id, timestamp, ...content, ...(context ? { context } : {}) }) as Record<string, Json>);

const wireStatusArb: fc.Arbitrary<Record<string, Json>> = fc
  .record({
      id: wamid,
      status: fc.constantFrom('sent', 'delivered', 'read', 'failed', 'played'),
      timestamp: waTimestamp,
      pricing: fc.option(fc.constant({ billable: true, pricing_model: 'PMP', category: 'service' }), { nil: undefined }),
      errors: fc.option(fc.constant([{ code: 131026, title: 'Message undeliverable', message: 'm', error_data: { details: 'd' } }]), { nil: undefined }),
    })
    .map(({ pricing, errors, ...s }) => ({ ...s, ...(pricing ? { pricing } : {}), ...(errors ? { errors } : {}) }) as unknown as Record<string, Json>);

const changeArb: fc.Arbitrary<Json> = fc
  .record({
    phoneNumberId: digits(12, 16),
    from: digits(8, 15),
    name: someText,
    field: fc.oneof({ weight: 9, arbitrary: fc.constant('messages') }, { weight: 1, arbitrary: fc.constantFrom('account_update', 'message_template_status_update') }),
    messages: fc.option(fc.array(wireMessageArb, { maxLength: 3 }), { nil: undefined }),
    statuses: fc.option(fc.array(wireStatusArb, { maxLength: 3 }), { nil: undefined }),
  })
  .map(({ phoneNumberId, from, name, field, messages, statuses }) => ({
    field,
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550001111', phone_number_id: phoneNumberId },
      contacts: [{ profile: { name }, wa_id: from }],
      ...(messages ? { messages: messages.map((m) => ({ from, ...m })) } : {}),
      ...(statuses ? { statuses: statuses.map((st) => ({ ...st, recipient_id: from })) } : {}),
    },
  }));

const validNotificationArb: fc.Arbitrary<Json> = fc
  .array(fc.record({ id: digits(10, 16), changes: fc.array(changeArb, { minLength: 1, maxLength: 2 }) }), { minLength: 1, maxLength: 2 })
  .map((entry) => ({ object: 'whatsapp_business_account', entry }));

const whatsappExtras: fc.Arbitrary<Json> = fc.oneof(
  // unknown message types and bad status values
  fc.constantFrom<Json>('order', 'system', 'ephemeral', 'request_welcome', 'TEXT', 'Text', 'deleted', 'warning', 'READ', 'pending', 'undefined'),
  // arrays where objects belong, objects where arrays belong, empty containers
  fc.constantFrom<Json>([{ body: 'x' }], { 0: { body: 'x' } }, { entry: [] }, { changes: [] }, { messages: {} }, { statuses: [{}] }),
  fc.constantFrom<Json>('whatsapp_business_account', 'messages', 'whatsapp', 'instagram', 'page'),
);

const WHATSAPP_FIELDS: ReadonlySet<string> = new Set(
  'object entry id changes field value messaging_product metadata phone_number_id contacts wa_id profile name messages statuses from timestamp type text body context forwarded image caption location latitude longitude interactive button_reply list_reply title reaction emoji errors code status recipient_id pricing billable'.split(' '),
);

const whatsappKeys = fc.constantFrom('messages', 'statuses', 'errors', 'contacts', 'context', 'text', 'entry', 'changes', '__proto__', 'constructor', 'field', 'value');

const validNotificationText = fc.tuple(validNotificationArb, fc.constantFrom<'plain' | 'meta'>('plain', 'meta')).map(([doc, style]) => serialise(doc, style));

/** WhatsApp fields by kind, with the boundary values each kind should meet. */
const whatsappFieldKinds = [
  {
    // digit strings: ids and Unix-second timestamps (PROTOCOLS.md: ids and timestamps are strings)
    keys: ['timestamp', 'from', 'wa_id', 'phone_number_id', 'recipient_id', 'display_phone_number', 'id'],
    values: fc.oneof(
      hugeDigits,
      fc.constantFrom<Json>(...WRONG_TYPES, '0', '-1', '1.5', ' 1', '1e3', '0x10', '１２３', '١٢٣', '9'.repeat(306), '9'.repeat(400), '17640720000000', 1764072000, raw('1e999')),
    ),
  },
  {
    // enumerations: unknown message types, bad status values, other objects and fields
    keys: ['type', 'status', 'field', 'object', 'messaging_product'],
    values: fc.oneof(
      fc.constantFrom<Json>(...WRONG_TYPES, 'order', 'system', 'ephemeral', 'request_welcome', 'TEXT', 'deleted', 'warning', 'READ', 'pending', 'instagram', 'page', '__proto__', 'constructor', 'toString'),
      fc.string({ maxLength: 12 }),
    ),
  },
  { keys: ['latitude', 'longitude', 'code'], values: numberBoundaries },
  { keys: ['body', 'caption', 'title', 'name', 'emoji', 'filename', 'message_id', 'formatted_name', 'phone'], values: stringBoundaries },
  { keys: ['voice', 'animated', 'forwarded', 'billable'], values: fc.constantFrom<Json>(...WRONG_TYPES, 'true', 'false') },
  {
    // containers: empty entry/changes arrays, arrays where objects belong and vice versa
    keys: ['entry', 'changes', 'value', 'metadata', 'contacts', 'profile', 'messages', 'statuses', 'errors', 'context', 'text', 'image', 'location', 'interactive', 'button_reply', 'reaction', 'pricing'],
    values: fc.oneof(fc.constantFrom<Json>(...WRONG_TYPES, [[]], [{ body: 'x' }], { 0: {} }, 'x'), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>),
  },
];

const whatsappBodies = {
  json: fc.oneof(
    fc.json({ maxDepth: 4 }),
    fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }).map((v) => JSON.stringify(v)),
    // notification-shaped arbitrary JSON, to get past the envelope check
    fc.jsonValue({ maxDepth: 5 }).map((entry) => JSON.stringify({ object: 'whatsapp_business_account', entry })),
    fc.jsonValue({ maxDepth: 4 }).map((changes) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes }] })),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value }] }] })),
  ),
  mutation: fc
    .tuple(
      validNotificationArb,
      stepsArb(mutationArb(whatsappExtras, whatsappKeys), 4),
      fc.constantFrom<'plain' | 'meta'>('plain', 'meta'),
    )
    .map(([doc, steps, style]) => serialise(applyMutations(doc, steps, WHATSAPP_FIELDS), style)),
  field: fc
    .tuple(validNotificationArb, fieldEditsArb(whatsappFieldKinds, 2), fc.constantFrom<'plain' | 'meta'>('plain', 'meta'))
    .map(([doc, edits, style]) => serialise(applyFieldEdits(doc, edits), style)),
  bytes: bytesArb(validNotificationText),
};

// ---------------------------------------------------------------------------------------------
// API channel: a valid body generator and its mutations.

const validApiBodyArb: fc.Arbitrary<Json> = fc.record(
  {
    conversationId: fc.string({ minLength: 1, maxLength: 20 }),
    userId: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
    metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    callbackUrl: fc.webUrl(),
  },
  { requiredKeys: ['userId', 'text'] },
) as fc.Arbitrary<Json>;

const apiExtras: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    'x'.repeat(4097),
    '😀'.repeat(4097),
    '😀'.repeat(4096),
    'u'.repeat(257),
    '   ',
    '\u0000',
    '\n\t',
    'javascript:alert(1)',
    'ftp://example.com/',
    'http://',
    'http://169.254.169.254/computeMetadata/v1/',
    'http://127.0.0.1:8080/',
    'file:///etc/passwd',
    'not a url',
  ),
  fc.constantFrom<Json>({ a: 1 }, { a: null }, { a: ['x'] }, { a: { b: 'c' } }, ['userId', 'text']),
);

const API_FIELDS: ReadonlySet<string> = new Set(['userId', 'text', 'conversationId', 'metadata', 'callbackUrl']);

const apiKeys = fc.constantFrom('userId', 'text', 'conversationId', 'metadata', 'callbackUrl', '__proto__', 'constructor', 'extra');

const validApiText = fc.tuple(validApiBodyArb, fc.constantFrom<'plain' | 'meta'>('plain', 'meta')).map(([doc, style]) => serialise(doc, style));

const apiFieldKinds = [
  {
    keys: ['userId', 'text', 'conversationId'],
    values: fc.oneof(
      stringBoundaries,
      fc.constantFrom<Json>('u'.repeat(256), 'u'.repeat(257), '😀'.repeat(4096), '😀'.repeat(4097), 'x'.repeat(4097), 'e\u0301'.repeat(3000), '\n\t \u00a0', '\u200b'),
    ),
  },
  {
    keys: ['callbackUrl'],
    values: fc.oneof(
      fc.constantFrom<Json>(...WRONG_TYPES, 'javascript:alert(1)', 'ftp://example.com/', 'http://', 'https://', 'http://169.254.169.254/computeMetadata/v1/', 'http://[::1]/', 'file:///etc/passwd', 'not a url', 'HTTP://EXAMPLE.COM', 'https://例え.jp/', 'https://a.b/' + 'p'.repeat(10000)),
      fc.webUrl(),
    ),
  },
  {
    keys: ['metadata'],
    values: fc.oneof(
      fc.constantFrom<Json>(...WRONG_TYPES, { a: 1 }, { a: null }, { a: ['x'] }, { a: { b: 'c' } }, JSON.parse('{"__proto__":"x"}') as Json, JSON.parse('{"__proto__":{"a":"b"}}') as Json, { constructor: 'x', toString: 'y' }),
      fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 }), { maxKeys: 4 }) as fc.Arbitrary<Json>,
    ),
  },
];

const apiBodies = {
  json: fc.oneof(
    fc.json({ maxDepth: 4 }),
    fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }).map((v) => JSON.stringify(v)),
    // body-shaped arbitrary JSON: each field a string of any code points or any JSON value
    fc
      .record(
        {
          userId: fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.jsonValue({ maxDepth: 2 })),
          text: fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.jsonValue({ maxDepth: 2 })),
          conversationId: fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.jsonValue({ maxDepth: 2 })),
          metadata: fc.oneof(fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 }), { maxKeys: 3 }), fc.jsonValue({ maxDepth: 2 })),
          callbackUrl: fc.oneof(fc.webUrl(), fc.string({ unit: 'binary', maxLength: 20 }), fc.jsonValue({ maxDepth: 1 })),
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
  ),
  mutation: fc
    .tuple(
      validApiBodyArb,
      stepsArb(mutationArb(apiExtras, apiKeys), 3),
      fc.constantFrom<'plain' | 'meta'>('plain', 'meta'),
    )
    .map(([doc, steps, style]) => serialise(applyMutations(doc, steps, API_FIELDS), style)),
  field: fc
    .tuple(validApiBodyArb, fieldEditsArb(apiFieldKinds, 2), fc.constantFrom<'plain' | 'meta'>('plain', 'meta'))
    .map(([doc, edits, style]) => serialise(applyFieldEdits(doc, edits), style)),
  bytes: bytesArb(validApiText),
};

// ---------------------------------------------------------------------------------------------

const parseOrUndefined = (bytes: Uint8Array): unknown => {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
};

/** Standard Webhooks headers over raw bytes (PROTOCOLS.md), independent of src/. */
function signedApiHeaders(id: string, timestamp: number, bytes: Uint8Array): Record<string, string> {
  const key = Buffer.from(TEST_API_SECRET.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(bytes).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}

const asBytes = (body: string | Uint8Array): Uint8Array => (typeof body === 'string' ? utf8.encode(body) : body);

describe('POST /webhooks/whatsapp with validly signed malformed bodies (property)', () => {
  let h: RoleHarness;
  beforeAll(async () => {
    h = await roleHarness({ logLevel: 'warn' });
  });
  afterAll(() => h.runtime.stop());

  async function post(body: string | Uint8Array, seen: Tally) {
    const bytes = asBytes(body);
    const before = countsOf(h);
    const res = await h.app.request('/webhooks/whatsapp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(bytes, TEST_APP_SECRET) },
      body: bytes,
    });
    tally(seen, res.status);
    const events = await checkResponse(h, res, before, [200, 400], 200);
    if (res.status === 200) expect(events).toHaveLength(expectedEventCount(parseOrUndefined(bytes)));
  }

  for (const [kind, numRuns] of Object.entries(WHATSAPP_RUNS) as [keyof typeof WHATSAPP_RUNS, number][]) {
    it(`${numRuns} ${kind} bodies: no 5xx, 4xx publishes nothing, 200 publishes decodable events only`, async () => {
      const seen: Tally = {};
      await fc.assert(
        fc.asyncProperty(whatsappBodies[kind], (body) => post(body, seen)),
        { numRuns },
      );
      // Both outcomes were exercised: the generators reach past the parser, not only into 400s.
      expect(Object.keys(seen).sort(), JSON.stringify(seen)).toEqual(['200', '400']);
    });
  }
});

describe('POST /webhooks/api with validly signed malformed bodies (property)', () => {
  let h: RoleHarness;
  let sequence = 0;
  beforeAll(async () => {
    h = await roleHarness({ logLevel: 'warn' });
  });
  afterAll(() => h.runtime.stop());

  async function post(body: string | Uint8Array, seen: Tally) {
    const bytes = asBytes(body);
    const id = `msg_fuzz_${(sequence += 1)}`;
    const timestamp = Math.floor(h.clock.now() / 1000);
    const headers = signedApiHeaders(id, timestamp, bytes);
    const before = countsOf(h);
    const res = await h.app.request('/webhooks/api', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: bytes });
    tally(seen, res.status);
    // 413 is acceptable only for bodies over the route's 64 KiB limit (MAX_API_BODY_BYTES in listener-routes.ts).
    const events = await checkResponse(h, res, before, bytes.length > API_BODY_LIMIT ? [202, 400, 413] : [202, 400], 202);
    if (res.status === 202) {
      const sent = parseOrUndefined(bytes) as { userId: string; text: string };
      expect(events).toHaveLength(1);
      const event = events[0]!;
      expect(event.kind).toBe('message');
      if (event.kind !== 'message') return;
      expect(event.message).toMatchObject({ id, channel: 'api', participant: { id: sent.userId }, content: { type: 'text', body: sent.text } });
      expect(await res.json()).toMatchObject({ messageId: id });
    }
  }

  for (const [kind, numRuns] of Object.entries(API_RUNS) as [keyof typeof API_RUNS, number][]) {
    it(`${numRuns} ${kind} bodies: no 5xx, 4xx publishes nothing, 202 publishes one decodable message`, async () => {
      const seen: Tally = {};
      await fc.assert(
        fc.asyncProperty(apiBodies[kind], (body) => post(body, seen)),
        { numRuns },
      );
      expect(seen[202] ?? 0, JSON.stringify(seen)).toBeGreaterThan(0);
      expect(seen[400] ?? 0, JSON.stringify(seen)).toBeGreaterThan(0);
    });
  }
});
