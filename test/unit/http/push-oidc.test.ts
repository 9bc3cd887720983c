import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AllowAllPushAuthenticator, GoogleOidcPushAuthenticator, RefusingPushAuthenticator, type GoogleOidcOptions } from '../../../src/http/auth/push-oidc.js';

// Tokens are signed here with RS256 and verified against a local key set: Google's certificate
// endpoints are never contacted.
const KID = 'test-key-1';
const google = generateKeyPairSync('rsa', { modulusLength: 2048 });
const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const certs = { [KID]: google.publicKey.export({ type: 'spki', format: 'pem' }).toString() };

const AUDIENCE = 'https://worker.example.run.app/pubsub/push';
const PUSHER = 'pubsub-push@demo-project.iam.gserviceaccount.com';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function aToken(claims: Record<string, unknown> = {}, options: { key?: KeyObject; kid?: string } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? KID });
  const payload = b64url({
    iss: 'https://accounts.google.com',
    aud: AUDIENCE,
    azp: '1234567890',
    sub: '1234567890',
    email: PUSHER,
    email_verified: true,
    iat: now - 10,
    exp: now + 3590,
    ...claims,
  });
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), options.key ?? google.privateKey).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

function authenticator(options: { serviceAccountEmail?: string } = { serviceAccountEmail: PUSHER }) {
  // The cast lets a test build it the way an untyped caller could: without a service account.
  return new GoogleOidcPushAuthenticator({ audience: AUDIENCE, certificates: async () => certs, ...options } as GoogleOidcOptions);
}

describe('GoogleOidcPushAuthenticator', () => {
  it('accepts a token signed by a known key for the audience, issuer and service account', async () => {
    expect(await authenticator().verify(`Bearer ${aToken()}`)).toEqual({ ok: true, email: PUSHER });
  });

  it('accepts the issuer spelled without the scheme and a lower-case bearer scheme', async () => {
    expect(await authenticator().verify(`bearer ${aToken({ iss: 'accounts.google.com' })}`)).toEqual({ ok: true, email: PUSHER });
  });

  it('refuses to be built without a service account (a token of any Google service account would pass)', () => {
    expect(() => authenticator({})).toThrow(/service account/);
  });

  it('matches the service account e-mail without regard to case', async () => {
    expect(await authenticator({ serviceAccountEmail: PUSHER.toUpperCase() }).verify(`Bearer ${aToken()}`)).toEqual({ ok: true, email: PUSHER });
  });

  it.each([
    ['signed by another key under a known kid', () => aToken({}, { key: forger.privateKey }), 'invalid signature'],
    ['signed by a key id that is not in the key set', () => aToken({}, { kid: 'unknown-kid' }), 'unknown signing key'],
    ['expired beyond the clock skew', () => aToken({ iat: nowS() - 7200, exp: nowS() - 3600 }), 'token expired'],
    ['issued in the future beyond the clock skew', () => aToken({ iat: nowS() + 3600, exp: nowS() + 7200 }), 'token not yet valid'],
    ['without exp', () => aToken({ exp: undefined }), 'token lacks valid iat/exp'],
    ['for another audience', () => aToken({ aud: 'https://api.example.run.app/internal/pubsub/interactions' }), 'wrong audience'],
    ['from another issuer', () => aToken({ iss: 'https://evil.example.com' }), 'wrong issuer'],
    ['for another service account', () => aToken({ email: 'attacker@evil-project.iam.gserviceaccount.com' }), 'unexpected service account'],
    ['with email_verified false', () => aToken({ email_verified: false }), 'email not verified'],
    ['with email_verified as a string', () => aToken({ email_verified: 'true' }), 'email not verified'],
    ['without an e-mail', () => aToken({ email: undefined, email_verified: undefined }), 'token has no email'],
  ])('rejects a token %s, with a reason that does not contain the token', async (_, token, reason) => {
    const jwt = token();

    const verdict = await authenticator().verify(`Bearer ${jwt}`);

    expect(verdict).toEqual({ ok: false, reason });
    expect(JSON.stringify(verdict)).not.toContain(jwt.split('.')[1]!.slice(0, 20));
  });

  it.each([
    ['no header', undefined, 'missing bearer token'],
    ['an empty header', '', 'missing bearer token'],
    ['another scheme', `Basic ${Buffer.from('user:pass').toString('base64')}`, 'malformed bearer token'],
    ['a bearer value that is not a JWT', 'Bearer not-a-jwt', 'malformed bearer token'],
    ['a JWT without a signature', `Bearer ${aToken().split('.').slice(0, 2).join('.')}.`, 'malformed bearer token'],
    ['segments that are not JSON', 'Bearer Zm9v.YmFy.YmF6', 'malformed token'],
    ['an oversized header', `Bearer ${'a'.repeat(9000)}.b.c`, 'malformed bearer token'],
  ])('rejects %s without throwing', async (_, header, reason) => {
    expect(await authenticator().verify(header)).toEqual({ ok: false, reason });
  });

  it('rejects (503 material, not 401) when the verification keys cannot be obtained', async () => {
    const auth = new GoogleOidcPushAuthenticator({
      audience: AUDIENCE,
      serviceAccountEmail: PUSHER,
      certificates: async () => {
        throw new Error('Failed to retrieve verification certificates: ECONNREFUSED');
      },
    });

    await expect(auth.verify(`Bearer ${aToken()}`)).rejects.toThrow(/verification certificates/);
  });

  it('refuses to be built without an audience', () => {
    expect(() => new GoogleOidcPushAuthenticator({ audience: '', serviceAccountEmail: PUSHER, certificates: async () => certs })).toThrow(/audience/);
  });
});

describe('AllowAllPushAuthenticator', () => {
  it('accepts a push without Authorization, as the emulator sends it', async () => {
    expect(await new AllowAllPushAuthenticator().verify(undefined)).toMatchObject({ ok: true });
  });

  it('accepts whatever header comes along, even a garbage one', async () => {
    expect(await new AllowAllPushAuthenticator().verify(`Bearer ${randomUUID()}`)).toMatchObject({ ok: true });
  });
});

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

describe('RefusingPushAuthenticator', () => {
  it('rejects a push even with a header, saying which settings are missing', async () => {
    expect(await new RefusingPushAuthenticator().verify(`Bearer ${randomUUID()}`)).toEqual({ ok: false, reason: expect.stringContaining('PUSH_AUTH') });
  });
});
