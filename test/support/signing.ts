import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sensitive } from './log-sink.js';

// Written from the specifications (PROTOCOLS.md), independently of src/, so end-to-end tests sign
// and verify the way Meta and a Standard Webhooks client would.

/** `X-Hub-Signature-256` of the exact bytes Meta sends. */
export function metaSignature(rawBody: string | Uint8Array, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** A fresh `whsec_…` secret (24 random bytes). */
export function aWebhookSecret(): string {
  return sensitive(`whsec_${randomBytes(24).toString('base64')}`);
}

function hmacOf(secret: string, id: string, timestamp: number | string, body: string | Uint8Array): Buffer {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

/** The three Standard Webhooks headers for a body. */
export function standardWebhookHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${hmacOf(secret, id, timestamp, body).toString('base64')}`,
  };
}

/** True when one of the `v1,` signatures of the header list matches the body. */
export function hasValidStandardSignature(
  secret: string,
  headers: { id: string | undefined; timestamp: string | undefined; signature: string | undefined },
  body: Uint8Array,
): boolean {
  if (!headers.id || !headers.timestamp || !headers.signature) return false;
  const expected = hmacOf(secret, headers.id, headers.timestamp, body);
  return headers.signature.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',', 2);
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** JSON as Meta serialises it: every non-ASCII character escaped as `\uXXXX`. */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
