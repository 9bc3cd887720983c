import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenOnLoopback } from './ports.js';

/** google-auth-library sends service-account token requests here, whatever the key file's `token_uri` says. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface IssuedToken {
  token: string;
  /** By `Date.now()` when issued (tests may move the clock). */
  expiresAt: number;
}

/**
 * A local OAuth2 token endpoint on 127.0.0.1 for the JWT-bearer grant service accounts use:
 * `POST /token` with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`. It
 * checks the assertion's RS256 signature against the key pair it generated (so only the key file
 * it wrote is accepted) and answers `{access_token, expires_in, token_type: "Bearer"}`, a fresh
 * token each time. `expiresInS` sets the next tokens' lifetime; `failNext` scripts failures.
 */
export class GoogleTokenDouble {
  readonly issued: IssuedToken[] = [];
  /** Every token request, answered or not. */
  requests = 0;
  expiresInS = 3600;
  private failures: { status: number; body: unknown }[] = [];
  private server: Server | undefined;
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly clientEmail = `vocoeng-test-${randomBytes(4).toString('hex')}@demo-project.iam.gserviceaccount.com`;

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await listenOnLoopback(server);
  }

  get tokenUrl(): string {
    if (!this.server) throw new Error('GoogleTokenDouble is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/token`;
  }

  /** A service-account key file (what `GOOGLE_APPLICATION_CREDENTIALS` names) whose key this double accepts. */
  async writeKeyFile(projectId: string): Promise<string> {
    const path = join(tmpdir(), `vocoeng-sa-${randomBytes(6).toString('hex')}.json`);
    const key = {
      type: 'service_account',
      project_id: projectId,
      private_key_id: randomBytes(20).toString('hex'),
      private_key: this.keys.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: this.clientEmail,
      client_id: '100000000000000000000',
      token_uri: this.tokenUrl,
    };
    await writeFile(path, JSON.stringify(key), { mode: 0o600 });
    return path;
  }

  /**
   * A fetch for google-auth-library's transport: token requests to Google go to this double
   * instead (the library ignores `token_uri` for service accounts); anything else is refused, so
   * a test never reaches Google.
   */
  readonly fetch = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== GOOGLE_TOKEN_URL) return Promise.reject(new Error(`GoogleTokenDouble: refusing a request to ${url}`));
    return fetch(this.tokenUrl, init);
  };

  failNext(count: number, status: number, body: unknown = { error: 'internal_failure' }): this {
    this.failures.push(...Array.from({ length: count }, () => ({ status, body })));
    return this;
  }

  /** Whether `token` was issued here and has not expired. */
  isCurrent(token: string | undefined): boolean {
    const issued = this.issued.find((t) => t.token === token);
    return issued !== undefined && issued.expiresAt > Date.now();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.requests++;
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/token') return answer(404, { error: 'not_found' });
    const failure = this.failures.shift();
    if (failure) return answer(failure.status, failure.body);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return answer(400, { error: 'unsupported_grant_type' });
    if (!this.validAssertion(form.get('assertion') ?? '')) return answer(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    const token = `ya29.double-${this.issued.length + 1}-${randomBytes(12).toString('base64url')}`;
    this.issued.push({ token, expiresAt: Date.now() + this.expiresInS * 1000 });
    answer(200, { access_token: token, expires_in: this.expiresInS, token_type: 'Bearer' });
  }

  private validAssertion(jwt: string): boolean {
    const [header, payload, signature] = jwt.split('.');
    if (!header || !payload || !signature) return false;
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${header}.${payload}`);
    if (!verifier.verify(this.keys.publicKey, Buffer.from(signature, 'base64url'))) return false;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: string; scope?: string };
    return claims.iss === this.clientEmail && typeof claims.scope === 'string' && claims.scope.includes('cloud-platform');
  }
}
