import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWhatsAppBody, verifyWhatsAppSignature } from '../../../src/adapters/whatsapp/signature.js';

const SECRET = 'app-secret-for-signature-tests';
const body = new TextEncoder().encode('{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}');
const hex = createHmac('sha256', SECRET).update(body).digest('hex');

describe('signWhatsAppBody', () => {
  it('returns sha256= and the lowercase hex HMAC of the raw bytes', () => {
    expect(signWhatsAppBody(body, SECRET)).toBe(`sha256=${hex}`);
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('verifyWhatsAppSignature', () => {
  it('accepts the signature when it is the HMAC of the body with the app secret', () => {
    expect(verifyWhatsAppSignature(body, `sha256=${hex}`, SECRET)).toBe(true);
  });

  it('accepts the same digest written in uppercase hex', () => {
    expect(verifyWhatsAppSignature(body, `sha256=${hex.toUpperCase()}`, SECRET)).toBe(true);
  });

  it('rejects the signature when it was made with another secret', () => {
    expect(verifyWhatsAppSignature(body, signWhatsAppBody(body, `${SECRET}-other`), SECRET)).toBe(false);
  });

  it('rejects the signature when one byte of the body differs', () => {
    const changed = body.slice();
    changed[10] = changed[10]! ^ 1;

    expect(verifyWhatsAppSignature(changed, `sha256=${hex}`, SECRET)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without the sha256= prefix', hex],
    ['with the sha1= prefix', `sha1=${hex}`],
    ['one hex digit short', `sha256=${hex.slice(0, 63)}`],
    ['one hex digit long', `sha256=${hex}0`],
    ['twice as long', `sha256=${hex}${hex}`],
    ['not hex', `sha256=${'z'.repeat(64)}`],
    ['surrounded by spaces', ` sha256=${hex} `],
    ['followed by another signature', `sha256=${hex},sha256=${hex}`],
  ])('returns false without throwing when the header is %s', (_, header) => {
    expect(() => verifyWhatsAppSignature(body, header, SECRET)).not.toThrow();
    expect(verifyWhatsAppSignature(body, header, SECRET)).toBe(false);
  });

  it('distinguishes escaped and raw UTF-8 serialisations of the same text', () => {
    const escaped = new TextEncoder().encode('{"t":"\\u00fc"}');
    const raw = new TextEncoder().encode('{"t":"ü"}');

    expect(verifyWhatsAppSignature(escaped, signWhatsAppBody(escaped, SECRET), SECRET)).toBe(true);
    expect(verifyWhatsAppSignature(escaped, signWhatsAppBody(raw, SECRET), SECRET)).toBe(false);
  });
});
