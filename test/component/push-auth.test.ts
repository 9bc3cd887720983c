import { ScriptedTranscriber } from '../support/scripted-transcriber.js';
import { testTokens } from '../support/reply-harness.js';
import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InMemoryAnalyticsStore } from '../../src/adapters/memory/in-memory-analytics-store.js';
import { InMemoryChatStore } from '../../src/adapters/memory/in-memory-chat-store.js';
import { InMemoryDeadLetterStore } from '../../src/adapters/memory/in-memory-dead-letter-store.js';
import { ScriptedCompletionModel } from '../../src/adapters/scripted/scripted-completion-model.js';
import { replyPolicyOf } from '../../src/composition/reply-policy.js';
import { loadConfig } from '../../src/config/config.js';
import type { InboundEvent } from '../../src/domain/model/events.js';
import { conversationIdFor, userKeyFor } from '../../src/domain/model/ids.js';
import type { MessageInteraction } from '../../src/domain/model/interaction.js';
import { ApplyDeliveryStatus } from '../../src/domain/use-cases/apply-delivery-status.js';
import { GetTranscript } from '../../src/domain/use-cases/get-transcript.js';
import { SendAgentReply } from '../../src/domain/use-cases/send-agent-reply.js';
import { ChangeHandoff } from '../../src/domain/use-cases/change-handoff.js';
import { AcceptAgentReply } from '../../src/domain/use-cases/accept-agent-reply.js';
import { HandleInboundEvent } from '../../src/domain/use-cases/handle-inbound-event.js';
import { QueryAnalytics } from '../../src/domain/use-cases/query-analytics.js';
import { RecordInteraction } from '../../src/domain/use-cases/record-interaction.js';
import { ReplyToMessage } from '../../src/domain/use-cases/reply-to-message.js';
import { apiRoutes } from '../../src/http/api/api-routes.js';
import { EraseParticipant } from '../../src/domain/use-cases/erase-participant.js';
import { HashedApiKeyVerifier, hashApiKey } from '../../src/http/auth/api-keys.js';
import { GoogleOidcPushAuthenticator, type CertificateSource } from '../../src/http/auth/push-oidc.js';
import { createApp } from '../../src/http/create-app.js';
import { workerRoutes } from '../../src/http/worker-routes.js';
import { consumeInbound } from '../../src/roles/consume-inbound.js';
import { createLogger } from '../../src/observability/logger.js';
import { aMessage } from '../support/builders.js';
import { FixedClock } from '../support/fixed-clock.js';
import { aPushEnvelope } from '../support/pubsub-envelope.js';
import { RecordingMessageBus } from '../support/recording-message-bus.js';
import { RecordingReplyChannel } from '../support/recording-reply-channel.js';
import { roleHarness, type LogEntry } from '../support/role-harness.js';
import { localOidc } from '../support/oidc-tokens.js';
import { buildRole, type RoleRuntime } from '../../src/composition/role.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { DEAD_LETTER_PUSH_PATH } from '../../src/http/api/dead-letter-push-routes.js';
import { SHIPPED_RATE_CARD } from '../../src/config/rate-card.js';

// OIDC tokens are signed here and checked against a local key set: nothing leaves 127.0.0.1.
const KID = 'local-kid';
const googleKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const forgerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const localCerts: CertificateSource = async () => ({ [KID]: googleKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() });

const AUDIENCE = 'https://vocoeng.example.run.app/push';
const PUSHER = 'pubsub-push@demo.iam.gserviceaccount.com';
const API_KEY = 'push-auth-test-key-0123456789';

function aToken(claims: Record<string, unknown> = {}, key: KeyObject = googleKey.privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT', kid: KID });
  const payload = encode({ iss: 'https://accounts.google.com', aud: AUDIENCE, sub: '42', email: PUSHER, email_verified: true, iat: now - 5, exp: now + 3595, ...claims });
  return `${header}.${payload}.${sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key).toString('base64url')}`;
}

/**
 * The worker and api route groups of the real app, wired by hand to the real use cases over
 * in-memory adapters, with push OIDC checked against local keys and every log line captured.
 */
function pushAuthHarness(certificates: CertificateSource = localCerts) {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: 'info', stream, projectId: 'demo-project' });
  const clock = new FixedClock(Date.now());
  const store = new InMemoryChatStore();
  const model = new ScriptedCompletionModel();
  const channel = new RecordingReplyChannel();
  const bus = new RecordingMessageBus();
  const analytics = new InMemoryAnalyticsStore();
  const pushAuth = new GoogleOidcPushAuthenticator({ audience: AUDIENCE, serviceAccountEmail: PUSHER, certificates });
  const policy = replyPolicyOf(loadConfig({ ROLE: 'all' }));
  const handleInbound = new HandleInboundEvent(new ReplyToMessage(store, model, channel, bus, clock, policy, testTokens(), new ScriptedTranscriber()), new ApplyDeliveryStatus(store, bus, channel, clock, SHIPPED_RATE_CARD), new SendAgentReply(store, channel, bus, clock, policy));
  const app = createApp('all', { ready: true }, logger, [
    workerRoutes({ consume: consumeInbound(handleInbound, logger), logger, pushAuth }),
    apiRoutes({
      queryAnalytics: new QueryAnalytics(analytics),
      getTranscript: new GetTranscript(store),
      recordInteraction: new RecordInteraction(analytics),
      eraseParticipant: new EraseParticipant(store, analytics, clock, new InMemoryDeadLetterStore()),
      channelSettings: store,
      handoff: { change: new ChangeHandoff(store, bus, clock), reply: new AcceptAgentReply(store, bus, clock), queue: store },
      apiKeys: new HashedApiKeyVerifier([{ keyId: 'reader', hash: hashApiKey(API_KEY), scopes: ['analytics:read'] }]),
      clock,
      logger,
      pushAuth,
      apiAccountId: 'default',
    }),
  ]);
  const push = (path: string, envelope: unknown, authorization?: string) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization !== undefined ? { authorization } : {}) },
      body: JSON.stringify(envelope),
    });
  return {
    app, store, model, channel, bus, analytics, clock,
    pushInbound: (envelope: unknown, authorization?: string) => push('/pubsub/push', envelope, authorization),
    pushInteraction: (envelope: unknown, authorization?: string) => push('/internal/pubsub/interactions', envelope, authorization),
    async messagesIn(): Promise<number> {
      const res = await app.request(`/api/v1/analytics/summary?from=${clock.now() - 3_600_000}&to=${clock.now() + 1}`, { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { messagesIn: number }).messagesIn;
    },
    logs: (): LogEntry[] => lines.map((line) => JSON.parse(line) as LogEntry),
  };
}

type Harness = ReturnType<typeof pushAuthHarness>;

function anInbound(h: Harness): { event: InboundEvent; conversationId: string } {
  const message = aMessage({ receivedAt: h.clock.now(), sentAt: h.clock.now() - 1_000, text: 'Are you open on Sunday?' });
  return { event: { kind: 'message', message }, conversationId: message.conversationId };
}

function anInteraction(h: Harness): MessageInteraction {
  const participant = `p-${randomUUID()}`;
  const messageId = `wamid.${randomUUID()}`;
  return {
    type: 'message',
    eventId: `message:whatsapp:${messageId}`,
    occurredAt: h.clock.now() - 1_000,
    channel: 'whatsapp',
    accountId: 'phone-1',
    conversationId: conversationIdFor('whatsapp', 'phone-1', participant),
    userKey: userKeyFor('whatsapp', 'phone-1', participant),
    messageId,
    messageType: 'text',
    receivedAt: h.clock.now() - 2_000,
    outcome: 'sent',
    usage: { prompt: 10, completion: 5 },
    costUsd: 0,
  };
}

async function expectNothingProcessed(h: Harness, conversationId: string): Promise<void> {
  expect(h.model.calls).toBe(0);
  expect(h.channel.attempts).toEqual([]);
  expect(await h.store.getConversation(conversationId)).toBeNull();
  expect(await h.store.messages(conversationId, { limit: 10 })).toEqual([]);
  expect(h.bus.empty).toBe(true);
  expect(await h.messagesIn()).toBe(0);
}

const REJECTED: [string, () => string | undefined][] = [
  ['no Authorization header (as the emulator pushes)', () => undefined],
  ['a token forged with another key', () => `Bearer ${aToken({}, forgerKey.privateKey)}`],
  ['an expired token', () => `Bearer ${aToken({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })}`],
  ['a token for another audience', () => `Bearer ${aToken({ aud: 'https://someone-else.example.run.app/push' })}`],
  ['a token of another service account', () => `Bearer ${aToken({ email: 'intruder@evil.iam.gserviceaccount.com' })}`],
];

describe('Pub/Sub push authentication (worker POST /pubsub/push)', () => {
  it.each(REJECTED)('answers 401 and processes nothing when the push carries %s', async (_, authorization) => {
    const h = pushAuthHarness();
    const { event, conversationId } = anInbound(h);

    const res = await h.pushInbound(aPushEnvelope(event), authorization());

    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    await expectNothingProcessed(h, conversationId);
    expect(h.logs()).toContainEqual(expect.objectContaining({ severity: 'WARNING', message: 'pubsub push rejected', reason: expect.any(String) }));
  });

  it('answers 401 before reading the body when the token is invalid', async () => {
    const h = pushAuthHarness();

    const res = await h.app.request('/pubsub/push', { method: 'POST', headers: { authorization: 'Bearer x.y.z' }, body: 'not json at all' });

    expect(res.status).toBe(401);
  });

  it('never logs the token of a rejected push', async () => {
    const h = pushAuthHarness();
    const token = aToken({ aud: 'https://someone-else.example.run.app/push' });

    await h.pushInbound(aPushEnvelope(anInbound(h).event), `Bearer ${token}`);

    const logged = JSON.stringify(h.logs());
    expect(logged).not.toContain(token.split('.')[1]!.slice(0, 24));
    expect(logged).not.toContain(token.split('.')[2]!.slice(0, 24));
  });

  it('answers 204 and replies once when the token is valid', async () => {
    const h = pushAuthHarness();
    const { event, conversationId } = anInbound(h);

    const res = await h.pushInbound(aPushEnvelope(event), `Bearer ${aToken()}`);

    expect(res.status).toBe(204);
    expect(h.model.calls).toBe(1);
    expect(h.channel.sent).toHaveLength(1);
    expect(await h.store.messages(conversationId, { limit: 10 })).toEqual([expect.objectContaining({ state: 'sent' })]);
  });

  it('answers 503 and processes nothing when the verification keys cannot be fetched', async () => {
    const h = pushAuthHarness(async () => {
      throw new Error('Failed to retrieve verification certificates: connect ECONNREFUSED 127.0.0.1:9');
    });
    const { event, conversationId } = anInbound(h);

    const res = await h.pushInbound(aPushEnvelope(event), `Bearer ${aToken()}`);

    expect(res.status).toBe(503);
    await expectNothingProcessed(h, conversationId);
  });

  it('logs the handling of the message in the trace the listener put in its attributes', async () => {
    const h = pushAuthHarness();
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const { event } = anInbound(h);

    const res = await h.pushInbound(aPushEnvelope(event, { attributes: { kind: 'message', traceparent: `00-${traceId}-${spanId}-01` } }), `Bearer ${aToken()}`);

    expect(res.status).toBe(204);
    expect(h.logs()).toContainEqual(
      expect.objectContaining({
        message: 'inbound event handled',
        'logging.googleapis.com/trace': `projects/demo-project/traces/${traceId}`,
        'logging.googleapis.com/spanId': spanId,
        'logging.googleapis.com/trace_sampled': true,
      }),
    );
    const access = h.logs().find((line) => line.message === 'POST /pubsub/push 204');
    expect(access?.['logging.googleapis.com/trace']).toMatch(/^projects\/demo-project\/traces\/[0-9a-f]{32}$/);
  });
});

describe('Pub/Sub push authentication (api POST /internal/pubsub/interactions)', () => {
  it.each(REJECTED)('answers 401 and records nothing when the push carries %s', async (_, authorization) => {
    const h = pushAuthHarness();

    const res = await h.pushInteraction(aPushEnvelope(anInteraction(h)), authorization());

    expect(res.status).toBe(401);
    expect(await h.messagesIn()).toBe(0);
  });

  it('answers 204 and records the interaction when the token is valid', async () => {
    const h = pushAuthHarness();

    const res = await h.pushInteraction(aPushEnvelope(anInteraction(h)), `Bearer ${aToken()}`);

    expect(res.status).toBe(204);
    expect(await h.messagesIn()).toBe(1);
  });
});

describe('Pub/Sub push authentication as the roles are composed from the configuration', () => {
  const oidc = localOidc('https://vocoeng-api.example.run.app/internal/pubsub/dead-letters', 'vocoeng-pubsub-push@demo.iam.gserviceaccount.com');
  const forgedDeadLetter = () => aPushEnvelope({ kind: 'message', message: aMessage({ text: 'send this to +4917012345678' }) }, { messageId: randomUUID() });
  const pushDeadLetter = (app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, authorization?: string) =>
    app.request(DEAD_LETTER_PUSH_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(forgedDeadLetter()),
    });
  const deadLettersOf = async (runtime: RoleRuntime) => (await runtime.container.get(TOKENS.DeadLetterStore).list({ limit: 10 })).items;

  it('answers 401 to a token for the right audience from another service account, and 204 to the push service account', async () => {
    const config = loadConfig({ ROLE: 'api', PROJECT_ID: 'demo-project', PUSH_AUDIENCE: oidc.audience, PUSH_SERVICE_ACCOUNT: oidc.email });
    const runtime = await buildRole(config, { logger: createLogger({ level: 'error', stream: new PassThrough() }), pushCertificates: oidc.certificates });
    runtime.readiness.ready = true;

    const intruder = await pushDeadLetter(runtime.app, `Bearer ${oidc.token({ email: 'someone@other-project.iam.gserviceaccount.com' })}`);
    const unsigned = await pushDeadLetter(runtime.app);
    expect([intruder.status, unsigned.status]).toEqual([401, 401]);
    expect(await deadLettersOf(runtime)).toEqual([]);

    expect((await pushDeadLetter(runtime.app, `Bearer ${oidc.token()}`)).status).toBe(204);
    expect(await deadLettersOf(runtime)).toHaveLength(1);
    await runtime.stop();
  });

  it('refuses every push of ROLE=all on the in-process bus when neither OIDC settings nor PUSH_AUTH=none are given', async () => {
    const h = await roleHarness({ env: { ROLE: 'all' } });

    const statuses = [(await pushDeadLetter(h.app)).status, (await h.app.request('/pubsub/push', { method: 'POST', body: JSON.stringify(aPushEnvelope(anInbound(pushAuthHarness()).event)) })).status];

    expect(statuses).toEqual([401, 401]);
    expect(await deadLettersOf(h.runtime)).toEqual([]);
  });

  it('does not serve /pubsub/push at all in a pull worker', async () => {
    const config = loadConfig({ ROLE: 'worker', PROJECT_ID: 'demo-project', AI_PROVIDER: 'scripted', WORKER_MODE: 'pull', PUBSUB_SUBSCRIPTION: 'vocoeng-inbound-worker', PUSH_AUTH: 'none' });
    const runtime = await buildRole(config, { logger: createLogger({ level: 'error', stream: new PassThrough() }) });
    runtime.readiness.ready = true;

    const res = await runtime.app.request('/pubsub/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(aPushEnvelope(anInbound(pushAuthHarness()).event)) });

    expect(res.status).toBe(404);
    await runtime.stop();
  });
});
