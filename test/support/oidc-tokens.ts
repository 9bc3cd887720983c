import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { CertificateSource } from '../../src/http/auth/push-oidc.js';

/**
 * Google-style OIDC tokens of a Pub/Sub push, signed here with a local key whose certificate
 * `certificates` serves: push authentication is tested without leaving 127.0.0.1.
 */
export function localOidc(audience: string, email: string) {
  const kid = 'local-kid';
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificates: CertificateSource = async () => ({ [kid]: key.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  function token(claims: Record<string, unknown> = {}, signer: KeyObject = key.privateKey): string {
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = encode({ alg: 'RS256', typ: 'JWT', kid });
    const payload = encode({ iss: 'https://accounts.google.com', aud: audience, sub: '42', email, email_verified: true, iat: now - 5, exp: now + 3595, ...claims });
    return `${header}.${payload}.${sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), signer).toString('base64url')}`;
  }
  return { certificates, token, audience, email };
}
