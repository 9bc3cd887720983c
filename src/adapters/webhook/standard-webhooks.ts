// Our own Standard Webhooks implementation, kept on purpose instead of the maintained
// `standardwebhooks` package (evaluated at v1.1.1), because that package:
// - does not verify the exact received bytes: `verify`/`sign` take only a string or a Buffer (a
//   Uint8Array throws), and a Buffer is decoded to a string and re-encoded as UTF-8, so invalid
//   UTF-8 collapses to U+FFFD: a body with byte 0xfe verifies against the signature of one with
//   0xff. The signed content must be `{id}.{timestamp}.` followed by the raw bytes as received.
// - reads the clock itself (`Date.now()`), so the listener's injected clock cannot drive the
//   5-minute tolerance (nor can the specification's known-answer vector be checked at its time);
// - parses the timestamp with `parseInt`, accepting "1614265330.5", "1614265330abc" or " 1614265330";
// - JSON-parses the body by default (a SyntaxError, not its `WebhookVerificationError`, for a
//   non-JSON body), and reports failures only as message strings, with no code to map to reasons.
// Its signing agrees with ours (same known answer), so clients using it interoperate.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TOLERANCE_SECONDS = 5 * 60;

export interface WebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export type VerifyResult = { ok: true; id: string; timestamp: number } | { ok: false; reason: string };

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` (Standard Webhooks). */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: Uint8Array | string): string {
  const content = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), Buffer.from(body)]);
  return `v1,${createHmac('sha256', keyOf(secret)).update(content).digest('base64')}`;
}

/**
 * Verifies Standard Webhooks headers over the raw body: any one valid `v1` signature of the
 * space-separated list passes, within ±5 minutes of `nowSeconds`.
 */
export function verifyStandardWebhook(secret: string, headers: WebhookHeaders, body: Uint8Array, nowSeconds: number): VerifyResult {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'webhook-timestamp is not Unix seconds' };
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > TOLERANCE_SECONDS) return { ok: false, reason: 'webhook-timestamp is outside the 5 minute tolerance' };

  const expected = Buffer.from(signStandardWebhook(secret, id, ts, body).slice('v1,'.length), 'base64');
  const valid = signature.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return valid ? { ok: true, id, timestamp: ts } : { ok: false, reason: 'no valid webhook-signature' };
}
