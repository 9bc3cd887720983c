import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../../src/adapters/webhook/standard-webhooks.js';
import { parseWhatsAppNotification } from '../../src/adapters/whatsapp/whatsapp-notification.js';
import { verifyWhatsAppSignature } from '../../src/adapters/whatsapp/signature.js';
import { TEST_API_SECRET, TEST_APP_SECRET } from '../support/role-harness.js';
import { metaSignature, standardWebhookHeaders } from '../support/signing.js';
import { aNotification, messagesValue, metaSerialise } from '../support/whatsapp-payloads.js';

// Property: a signature is over the exact bytes received. Bodies signed as sent (Meta's
// escaped-unicode JSON, or raw UTF-8 JSON) always verify; the same body re-serialised by
// JSON.stringify(JSON.parse(...)) verifies exactly when that reproduces the same bytes.
// Signing uses test/support/signing.ts (written from the specs), verification the src/ code.

const RUNS = 1_000;
const utf8 = new TextEncoder();
const decoder = new TextDecoder();

/** Characters that make re-serialisation change bytes or trip naive byte handling; all non-ASCII. */
const exotic = fc.constantFrom(
  '😀', // astral: a surrogate pair in UTF-16, 4 bytes in UTF-8
  '👩‍👩‍👧', // ZWJ sequence
  '🇩🇪', // regional indicators
  '𝄞',
  '\u{10FFFF}', // last code point
  '\u{E0041}', // tag character
  'שלום', // RTL (Hebrew)
  'مرحبا', // RTL (Arabic)
  '\u200F', // RIGHT-TO-LEFT MARK
  '\u202E', // RIGHT-TO-LEFT OVERRIDE
  '\u2066', // LEFT-TO-RIGHT ISOLATE
  'e\u0301', // combining acute
  'a\u0300\u0316\u0361', // stacked combining marks
  '\u0085', // NEL (C1 control)
  '\u009F', // C1 control
  '\u00A0', // NBSP
  '\u2028', // LINE SEPARATOR (valid in JSON strings, not in old JS)
  '\u2029', // PARAGRAPH SEPARATOR
  '\uFEFF', // BOM / ZWNBSP
  '\u200B', // ZERO WIDTH SPACE
  '\uFFFD', // REPLACEMENT CHARACTER
  '\uFFFF', // noncharacter
  'ß',
  '中文',
  '\uD7FF',
  '\uE000', // private use
);

/** ASCII that JSON escapes or that Meta escapes (`/`). */
const asciiSpecial = fc.constantFrom('\u0000', '\u0007', '\b', '\t', '\n', '\r', '\u001B', '\u001F', '\u007F', '"', '\\', '/', '</script>', '\\u0041');

/** Text that always holds at least one non-ASCII character, mixed with arbitrary code points and graphemes. */
const exoticText = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 6 }),
        fc.string({ unit: 'binary', maxLength: 6 }),
        fc.string({ unit: 'binary-ascii', maxLength: 4 }),
        exotic,
        asciiSpecial,
      ),
      { maxLength: 8 },
    ),
    exotic,
    fc.nat(),
  )
  .map(([parts, forced, at]) => {
    const index = at % (parts.length + 1);
    return [...parts.slice(0, index), forced, ...parts.slice(index)].join('');
  });

/** Free text that may or may not be exotic (names, captions). */
const anyText = fc.oneof(exoticText, fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[1-9]\\d{${min - 1},${max - 1}}$`));
const wamid = fc.stringMatching(/^wamid\.[A-Za-z0-9_-]{16,40}$/);
const timestamp = fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }).map(String);

const wireMessage = (from: string) =>
  fc.oneof(
    fc.record({ id: wamid, timestamp, text: exoticText }).map(({ text, ...m }) => ({ from, ...m, type: 'text', text: { body: text } })),
    fc
      .record({ id: wamid, timestamp, caption: anyText })
      .map(({ caption, ...m }) => ({ from, ...m, type: 'image', image: { caption, mime_type: 'image/jpeg', sha256: 'abc', id: '1234' } })),
    fc.record({ id: wamid, timestamp, emoji: exotic }).map(({ emoji, ...m }) => ({ from, ...m, type: 'reaction', reaction: { message_id: 'wamid.x', emoji } })),
    fc
      .record({ id: wamid, timestamp, name: anyText, address: anyText })
      .map(({ name, address, ...m }) => ({ from, ...m, type: 'location', location: { latitude: 52.5, longitude: 13.4, name, address } })),
  );

/** A WhatsApp notification whose first message is always a text with non-ASCII content. */
const notificationArb = fc
  .record({ phoneNumberId: digits(12, 16), wabaId: digits(10, 16), from: digits(8, 15), name: anyText })
  .chain(({ phoneNumberId, wabaId, from, name }) =>
    fc
      .tuple(
        fc.record({ id: wamid, timestamp, text: exoticText }),
        fc.array(wireMessage(from), { maxLength: 3 }),
      )
      .map(([first, rest]) => ({
        firstText: first.text,
        body: aNotification([
          {
            wabaId,
            changes: [
              {
                value: messagesValue({
                  phoneNumberId,
                  contacts: [{ waId: from, name }],
                  messages: [{ from, id: first.id, timestamp: first.timestamp, type: 'text', text: { body: first.text } }, ...rest],
                }),
              },
            ],
          },
        ]),
      })),
  );

const appSecretArb = fc.oneof(fc.constant(TEST_APP_SECRET), fc.stringMatching(/^[0-9a-f]{32}$/));
const indentArb = fc.constantFrom<undefined | number | string>(undefined, 0, 2, '\t');

const reserialise = (bytes: Uint8Array): Uint8Array => utf8.encode(JSON.stringify(JSON.parse(decoder.decode(bytes))));
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const flipOneByte = (bytes: Uint8Array, at: number): Uint8Array => {
  const copy = bytes.slice();
  const index = at % copy.length;
  copy[index] = copy[index]! ^ 0x01;
  return copy;
};

describe('WhatsApp X-Hub-Signature-256 over the exact bytes (property)', () => {
  it(`verifies ${RUNS} Meta-escaped and raw UTF-8 notifications, and rejects re-serialised bytes exactly when they differ`, () => {
    let escapedDiffered = 0;
    let rawDiffered = 0;
    let rawIdentical = 0;
    fc.assert(
      fc.property(notificationArb, appSecretArb, indentArb, fc.nat(), ({ body, firstText }, secret, indent, flipAt) => {
        const escaped = utf8.encode(metaSerialise(body));
        const raw = utf8.encode(JSON.stringify(body, null, indent));

        // Meta's escaped form is pure ASCII; the raw form carries the UTF-8 bytes.
        expect(escaped.every((byte) => byte < 0x80)).toBe(true);
        expect(raw.some((byte) => byte >= 0x80)).toBe(true);

        for (const bytes of [escaped, raw]) {
          const signature = metaSignature(bytes, secret);
          // Signed over the exact bytes: always valid, and the text survives parsing untouched.
          expect(verifyWhatsAppSignature(bytes, signature, secret)).toBe(true);
          const parsed = parseWhatsAppNotification(JSON.parse(decoder.decode(bytes)), 0);
          expect(parsed.messages[0]?.content).toEqual({ type: 'text', body: firstText });

          // Re-serialised: valid exactly when the bytes are unchanged.
          const again = reserialise(bytes);
          const identical = sameBytes(again, bytes);
          expect(verifyWhatsAppSignature(again, signature, secret)).toBe(identical);

          // Any single flipped bit is rejected; so is the right signature under another secret.
          expect(verifyWhatsAppSignature(flipOneByte(bytes, flipAt), signature, secret)).toBe(false);
          expect(verifyWhatsAppSignature(bytes, signature, `${secret}x`)).toBe(false);
        }

        // The escaped variant always holds non-ASCII text, so re-serialising must change its bytes.
        const escapedAgain = reserialise(escaped);
        expect(sameBytes(escapedAgain, escaped)).toBe(false);
        expect(verifyWhatsAppSignature(escapedAgain, metaSignature(escaped, secret), secret)).toBe(false);
        escapedDiffered += 1;
        if (sameBytes(reserialise(raw), raw)) rawIdentical += 1;
        else rawDiffered += 1;
      }),
      { numRuns: RUNS },
    );
    expect(escapedDiffered).toBeGreaterThanOrEqual(RUNS);
    // Both outcomes of the "exactly when" property were exercised on the raw variant.
    expect(rawIdentical).toBeGreaterThan(0);
    expect(rawDiffered).toBeGreaterThan(0);
  });
});

/** `{id}.{timestamp}.{body}` keys: arbitrary 24–64 byte keys as `whsec_` secrets, plus the test one. */
const webhookSecretArb = fc.oneof(
  fc.constant(TEST_API_SECRET),
  fc.uint8Array({ minLength: 24, maxLength: 64 }).map((key) => `whsec_${Buffer.from(key).toString('base64')}`),
);

const apiBodyArb = fc.record(
  {
    conversationId: anyText,
    userId: exoticText,
    text: exoticText,
    metadata: fc.dictionary(anyText, anyText, { maxKeys: 3 }),
    callbackUrl: fc.webUrl({ withQueryParameters: true, withFragments: true }),
  },
  { requiredKeys: ['userId', 'text'] },
);

describe('Standard Webhooks signature over the exact bytes (property)', () => {
  it(`verifies ${RUNS} escaped and raw UTF-8 API bodies, and rejects re-serialised bytes exactly when they differ`, () => {
    const now = 1_764_072_000;
    let rawIdentical = 0;
    let rawDiffered = 0;
    fc.assert(
      fc.property(
        apiBodyArb,
        webhookSecretArb,
        fc.stringMatching(/^msg_[A-Za-z0-9]{1,32}$/),
        fc.integer({ min: -300, max: 300 }),
        indentArb,
        fc.nat(),
        (body, secret, id, skew, indent, flipAt) => {
          const timestamp = now + skew;
          const escapedText = metaSerialise(body);
          const rawText = JSON.stringify(body, null, indent);
          for (const text of [escapedText, rawText]) {
            const bytes = utf8.encode(text);
            const sent = standardWebhookHeaders(secret, id, timestamp, text);
            const headers = { id: sent['webhook-id'], timestamp: sent['webhook-timestamp'], signature: sent['webhook-signature'] };

            expect(verifyStandardWebhook(secret, headers, bytes, now)).toEqual({ ok: true, id, timestamp });
            expect(JSON.parse(decoder.decode(bytes))).toEqual(body);

            const again = reserialise(bytes);
            const identical = sameBytes(again, bytes);
            expect(verifyStandardWebhook(secret, headers, again, now).ok).toBe(identical);

            expect(verifyStandardWebhook(secret, headers, flipOneByte(bytes, flipAt), now).ok).toBe(false);
            // The signature also binds the id and the timestamp.
            expect(verifyStandardWebhook(secret, { ...headers, id: `${id}x` }, bytes, now).ok).toBe(false);
            expect(verifyStandardWebhook(secret, { ...headers, timestamp: String(timestamp + 1) }, bytes, now).ok).toBe(false);
          }
          // userId and text always hold non-ASCII characters: the escaped form cannot survive re-serialisation.
          const escapedBytes = utf8.encode(escapedText);
          const escapedAgain = reserialise(escapedBytes);
          expect(sameBytes(escapedAgain, escapedBytes)).toBe(false);
          const sent = standardWebhookHeaders(secret, id, timestamp, escapedText);
          const headers = { id, timestamp: String(timestamp), signature: sent['webhook-signature'] };
          expect(verifyStandardWebhook(secret, headers, escapedAgain, now).ok).toBe(false);

          const rawBytes = utf8.encode(rawText);
          if (sameBytes(reserialise(rawBytes), rawBytes)) rawIdentical += 1;
          else rawDiffered += 1;
        },
      ),
      { numRuns: RUNS },
    );
    expect(rawIdentical).toBeGreaterThan(0);
    expect(rawDiffered).toBeGreaterThan(0);
  });
});
