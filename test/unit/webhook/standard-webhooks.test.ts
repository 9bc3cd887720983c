import { describe, expect, it } from 'vitest';
import { signStandardWebhook, TOLERANCE_SECONDS, verifyStandardWebhook } from '../../../src/adapters/webhook/standard-webhooks.js';

// The known answer from the Standard Webhooks specification (PROTOCOLS.md).
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const OTHER_SECRET = 'whsec_c29tZSBvdGhlciBzZWNyZXQgb2YgMzIgYnl0ZXMhIQ==';

const bytes = (text: string) => new TextEncoder().encode(text);
const headers = (signature: string | undefined, overrides: { id?: string; timestamp?: string } = {}) => ({
  id: 'id' in overrides ? overrides.id : ID,
  timestamp: 'timestamp' in overrides ? overrides.timestamp : String(TIMESTAMP),
  signature,
});

describe('signStandardWebhook', () => {
  it('produces the specification known answer when given its secret, id, timestamp and body', () => {
    expect(signStandardWebhook(SECRET, ID, TIMESTAMP, BODY)).toBe(SIGNATURE);
  });

  it('signs bytes and strings the same when the body is UTF-8', () => {
    const body = '{"text":"Grüße 👋"}';

    expect(signStandardWebhook(SECRET, ID, TIMESTAMP, bytes(body))).toBe(signStandardWebhook(SECRET, ID, TIMESTAMP, body));
  });
});

describe('verifyStandardWebhook', () => {
  it('accepts the known answer when now is the signing time', () => {
    expect(verifyStandardWebhook(SECRET, headers(SIGNATURE), bytes(BODY), TIMESTAMP)).toEqual({ ok: true, id: ID, timestamp: TIMESTAMP });
  });

  it('accepts the header when one of several space-separated signatures is valid', () => {
    const other = signStandardWebhook(OTHER_SECRET, ID, TIMESTAMP, BODY);

    expect(verifyStandardWebhook(SECRET, headers(`${other} ${SIGNATURE}`), bytes(BODY), TIMESTAMP).ok).toBe(true);
    expect(verifyStandardWebhook(SECRET, headers(`${SIGNATURE} ${other}`), bytes(BODY), TIMESTAMP).ok).toBe(true);
  });

  it('ignores signatures of other versions when a v1 signature is valid', () => {
    expect(verifyStandardWebhook(SECRET, headers(`v1a,${SIGNATURE.slice(3)} ${SIGNATURE}`), bytes(BODY), TIMESTAMP).ok).toBe(true);
    expect(verifyStandardWebhook(SECRET, headers(`v2,${SIGNATURE.slice(3)}`), bytes(BODY), TIMESTAMP).ok).toBe(false);
  });

  it('rejects the header when none of several signatures is valid', () => {
    const a = signStandardWebhook(OTHER_SECRET, ID, TIMESTAMP, BODY);
    const b = signStandardWebhook(SECRET, ID, TIMESTAMP, `${BODY} `);

    expect(verifyStandardWebhook(SECRET, headers(`${a} ${b}`), bytes(BODY), TIMESTAMP)).toEqual({ ok: false, reason: expect.any(String) });
  });

  it.each<[string, { id?: string; timestamp?: string; body?: string }]>([
    ['the body changed', { body: '{"test": 2432232315}' }],
    ['the id changed', { id: 'msg_other' }],
    ['the timestamp changed', { timestamp: String(TIMESTAMP + 1) }],
  ])('rejects the signature when %s', (_, change) => {
    const given = { ...headers(SIGNATURE), ...(change.id ? { id: change.id } : {}), ...(change.timestamp ? { timestamp: change.timestamp } : {}) };

    expect(verifyStandardWebhook(SECRET, given, bytes(change.body ?? BODY), TIMESTAMP).ok).toBe(false);
  });

  it.each([
    ['webhook-id', headers(SIGNATURE, { id: undefined })],
    ['webhook-timestamp', headers(SIGNATURE, { timestamp: undefined })],
    ['webhook-signature', headers(undefined)],
  ])('rejects the request when the %s header is missing', (_, given) => {
    expect(verifyStandardWebhook(SECRET, given, bytes(BODY), TIMESTAMP)).toEqual({ ok: false, reason: expect.stringContaining('missing') });
  });

  it.each([
    ['not base64', 'v1,@@@@'],
    ['truncated', SIGNATURE.slice(0, 20)],
    ['empty after the version', 'v1,'],
    ['without a version', SIGNATURE.slice(3)],
  ])('rejects a signature that is %s without throwing', (_, signature) => {
    expect(verifyStandardWebhook(SECRET, headers(signature), bytes(BODY), TIMESTAMP).ok).toBe(false);
  });

  it.each([['1614265330.5'], ['-1614265330'], ['abc'], ['1e9']])('rejects the timestamp %s when it is not Unix seconds', (timestamp) => {
    expect(verifyStandardWebhook(SECRET, headers(SIGNATURE, { timestamp }), bytes(BODY), TIMESTAMP).ok).toBe(false);
  });

  it.each([
    ['in the past', -TOLERANCE_SECONDS],
    ['in the future', TOLERANCE_SECONDS],
  ])('accepts a timestamp exactly 5 minutes %s', (_, offset) => {
    expect(verifyStandardWebhook(SECRET, headers(SIGNATURE), bytes(BODY), TIMESTAMP - offset).ok).toBe(true);
  });

  it.each([
    ['older', TIMESTAMP + TOLERANCE_SECONDS + 1],
    ['newer', TIMESTAMP - TOLERANCE_SECONDS - 1],
  ])('rejects a correctly signed request whose timestamp is more than 5 minutes %s than now', (_, now) => {
    expect(verifyStandardWebhook(SECRET, headers(SIGNATURE), bytes(BODY), now)).toEqual({ ok: false, reason: expect.stringContaining('tolerance') });
  });

  it('verifies against the signature of the exact bytes when the body holds non-ASCII text', () => {
    const body = '{"text":"\\u00fcber \\ud83d\\udc4b"}';
    const signature = signStandardWebhook(SECRET, ID, TIMESTAMP, body);

    expect(verifyStandardWebhook(SECRET, headers(signature), bytes(body), TIMESTAMP).ok).toBe(true);
    expect(verifyStandardWebhook(SECRET, headers(signature), bytes(JSON.stringify(JSON.parse(body))), TIMESTAMP).ok).toBe(false);
  });
});
