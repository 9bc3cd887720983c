import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PubSub } from '@google-cloud/pubsub';
import { localOidc } from './oidc-tokens.js';

/** What a push subscription asks Pub/Sub to sign its requests with (its `pushConfig.oidcToken`). */
export interface PushIdentity {
  audience: string;
  serviceAccountEmail: string;
}

export interface RelayedPush {
  subscription: string;
  path: string;
  /** The token's identity, as the subscription had it at the time; undefined when it has none. */
  identity: PushIdentity | undefined;
  /** Whether Cloud Run would let the token through to a private service with these custom audiences. */
  cloudRunAccepts: boolean;
  /** The receiving role's answer. */
  status: number;
}

/**
 * The Pub/Sub emulator signs nothing, so this stands between it and one receiving role, doing
 * what Pub/Sub does on Google Cloud: each push gets `Authorization: Bearer <OIDC token>` minted by
 * `issuer` with the audience and service account that provisioning put on the pushing subscription
 * (read back from the emulator on every push, so a reprovisioned subscription takes effect at once).
 */
export class PushRelay {
  readonly pushes: RelayedPush[] = [];
  private server: Server | undefined;

  constructor(
    private readonly pubsub: PubSub,
    private readonly issuer: LocalIssuer,
    private readonly target: () => string,
    /** The receiving service's custom audiences, as its Cloud Build file declares them. */
    private readonly customAudiences: readonly string[],
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.relay(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.origin;
  }

  get origin(): string {
    if (!this.server) throw new Error('PushRelay is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private async relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const subscription = subscriptionOf(body);
      const identity = await this.identityOf(subscription);
      const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/json' };
      if (identity) headers.authorization = `Bearer ${this.issuer.token({ aud: identity.audience, email: identity.serviceAccountEmail })}`;
      const answer = await fetch(`${this.target()}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body });
      const cloudRunAccepts = identity !== undefined && this.customAudiences.includes(identity.audience);
      this.pushes.push({ subscription, path: req.url ?? '/', identity, cloudRunAccepts, status: answer.status });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch (error) {
      // The role is gone or restarting: Pub/Sub retries a push that got no answer, and so does the emulator.
      res.writeHead(502).end(error instanceof Error ? error.message : 'relay failed');
    }
  }

  private async identityOf(subscription: string): Promise<PushIdentity | undefined> {
    const [metadata] = await this.pubsub.subscription(subscription).getMetadata();
    const oidc = metadata.pushConfig?.oidcToken;
    if (!oidc?.serviceAccountEmail) return undefined;
    // Pub/Sub's default audience is the push endpoint itself.
    return { audience: oidc.audience || (metadata.pushConfig?.pushEndpoint ?? ''), serviceAccountEmail: oidc.serviceAccountEmail };
  }
}

function subscriptionOf(body: Buffer): string {
  const envelope = JSON.parse(body.toString('utf8')) as { subscription?: unknown };
  if (typeof envelope.subscription !== 'string') throw new Error('push envelope without subscription');
  return envelope.subscription.replace(/^projects\/[^/]+\/subscriptions\//, '');
}

/**
 * A Google-style OIDC issuer on 127.0.0.1: one signing key, its certificates served at
 * `certsUrl` in the format of https://www.googleapis.com/oauth2/v1/certs (kid → PEM, Cache-Control).
 */
export class LocalIssuer {
  private readonly oidc = localOidc('unset-audience', 'unset@example.invalid');
  private server: Server | undefined;
  certificateRequests = 0;

  token(claims: { aud: string; email: string }): string {
    return this.oidc.token(claims);
  }

  async start(): Promise<string> {
    const certs = JSON.stringify(await this.oidc.certificates());
    this.server = createServer((req, res) => {
      if (req.url !== '/oauth2/v1/certs') return void res.writeHead(404).end();
      this.certificateRequests++;
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'cache-control': 'public, max-age=300' }).end(certs);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.certsUrl;
  }

  get certsUrl(): string {
    if (!this.server) throw new Error('LocalIssuer is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth2/v1/certs`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
