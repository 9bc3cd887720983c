import { OAuth2Client, type Certificates } from 'google-auth-library';

export type PushVerdict = { ok: true; email: string } | { ok: false; reason: string };

/**
 * Decides whether a Pub/Sub push request may be processed, from its `Authorization` header.
 * Resolves `{ ok: false, reason }` for any token problem (the reason is short and never contains
 * the token); rejects only when the verification keys cannot be obtained (answer 503, not 401).
 */
export interface PushAuthenticator {
  verify(authorizationHeader: string | undefined): Promise<PushVerdict>;
}

/** Public keys by key id (`kid`), PEM or JWK, as `OAuth2Client.getFederatedSignonCertsAsync` returns them. */
export type CertificateSource = () => Promise<Certificates>;

/** Google's OIDC signing keys, fetched and cached (per Cache-Control) by the client. */
export function googleSignonCertificates(client: OAuth2Client): CertificateSource {
  return async () => (await client.getFederatedSignonCertsAsync()).certs;
}

export const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

export interface GoogleOidcOptions {
  /** The `aud` the push subscription puts in its tokens (PUSH_AUDIENCE). */
  audience: string;
  /** The push subscription's service account (PUSH_SERVICE_ACCOUNT): without it any Google-signed token of any project would pass. */
  serviceAccountEmail: string;
  client?: OAuth2Client;
  /** Defaults to Google's certificates through `client`; tests pass a local key set. */
  certificates?: CertificateSource;
}

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+) *$/i;
const MAX_HEADER_LENGTH = 8192;

/** Verifies the OIDC token Pub/Sub push attaches: signature, iat/exp, issuer, audience, e-mail. */
export class GoogleOidcPushAuthenticator implements PushAuthenticator {
  private readonly client: OAuth2Client;
  private readonly certificates: CertificateSource;
  private readonly expectedEmail: string;

  constructor(private readonly options: GoogleOidcOptions) {
    if (!options.audience) throw new Error('GoogleOidcPushAuthenticator needs an audience');
    if (!options.serviceAccountEmail) throw new Error('GoogleOidcPushAuthenticator needs the push service account e-mail');
    this.client = options.client ?? new OAuth2Client();
    this.certificates = options.certificates ?? googleSignonCertificates(this.client);
    this.expectedEmail = options.serviceAccountEmail.toLowerCase();
  }

  async verify(authorizationHeader: string | undefined): Promise<PushVerdict> {
    if (!authorizationHeader) return reject('missing bearer token');
    if (authorizationHeader.length > MAX_HEADER_LENGTH) return reject('malformed bearer token');
    const token = BEARER.exec(authorizationHeader)?.[1];
    if (!token) return reject('malformed bearer token');

    // Outside the try: unavailable keys are an outage (503 and redelivery), not a bad token.
    const certs = await this.certificates();
    let claims: Record<string, unknown> | undefined;
    try {
      // The audience is always passed: without it the library skips the `aud` check.
      const ticket = await this.client.verifySignedJwtWithCertsAsync(token, certs, this.options.audience, GOOGLE_ISSUERS);
      claims = ticket.getPayload() as Record<string, unknown> | undefined;
    } catch (error) {
      return reject(reasonOf(error));
    }
    if (!claims) return reject('token has no payload');
    // The library checks neither `email` nor `email_verified`.
    const email = typeof claims.email === 'string' ? claims.email : undefined;
    if (!email) return reject('token has no email');
    if (claims.email_verified !== true) return reject('email not verified');
    if (email.toLowerCase() !== this.expectedEmail) return reject('unexpected service account');
    return { ok: true, email };
  }
}

/**
 * Accepts every push: `PUSH_AUTH=none`, set explicitly and warned about at every start. Only for
 * the emulators, whose pushes carry no token, and services nothing untrusted can reach.
 */
export class AllowAllPushAuthenticator implements PushAuthenticator {
  async verify(_authorizationHeader?: string): Promise<PushVerdict> {
    return { ok: true, email: '' };
  }
}

/**
 * Refuses every push: a process that mounts push routes but was given neither OIDC settings nor
 * `PUSH_AUTH=none` (ROLE=all on the in-process bus, a pull worker) fails closed, never open.
 */
export class RefusingPushAuthenticator implements PushAuthenticator {
  async verify(_authorizationHeader?: string): Promise<PushVerdict> {
    return reject('push authentication is not configured (PUSH_AUDIENCE and PUSH_SERVICE_ACCOUNT, or PUSH_AUTH=none)');
  }
}

const reject = (reason: string): PushVerdict => ({ ok: false, reason });

// The library's messages embed the token or its payload, so they are mapped, never passed on.
const REASONS: [RegExp, string][] = [
  [/^No pem found/, 'unknown signing key'],
  [/^Invalid token signature/, 'invalid signature'],
  [/^Token used too late/, 'token expired'],
  [/^Token used too early/, 'token not yet valid'],
  [/^Expiration time too far in future/, 'token lifetime too long'],
  [/^(No issue time|No expiration time|iat field|exp field)/, 'token lacks valid iat/exp'],
  [/^Invalid issuer/, 'wrong issuer'],
  [/^Wrong recipient/, 'wrong audience'],
  [/^(Wrong number of segments|Can't parse token)/, 'malformed token'],
];

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  return REASONS.find(([pattern]) => pattern.test(message))?.[1] ?? 'invalid token';
}
