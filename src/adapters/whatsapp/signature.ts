import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>` of the raw request bytes, as Meta sends in `X-Hub-Signature-256`. */
export function signWhatsAppBody(body: Uint8Array | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/**
 * Verifies `X-Hub-Signature-256` over the exact bytes received (re-serialised JSON would fail on
 * non-ASCII text). Constant-time; a missing, malformed or wrong-length header is simply false.
 */
export function verifyWhatsAppSignature(body: Uint8Array, header: string | undefined, appSecret: string): boolean {
  if (!header || !/^sha256=[0-9a-fA-F]{64}$/.test(header)) return false;
  const expected = createHmac('sha256', appSecret).update(body).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
