import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InMemoryDeadLetterStore } from '../../src/adapters/memory/in-memory-dead-letter-store.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { DomainError } from '../../src/domain/model/errors.js';
import type { DeadLetterStore } from '../../src/domain/ports/dead-letter-store.js';
import { GoogleOidcPushAuthenticator } from '../../src/http/auth/push-oidc.js';
import { createApp } from '../../src/http/create-app.js';
import { DEAD_LETTER_PUSH_PATH, deadLetterPushRoutes } from '../../src/http/api/dead-letter-push-routes.js';
import { createLogger } from '../../src/observability/logger.js';
import { aMessage } from '../support/builders.js';
import { anInteractionDeadLetter } from '../support/dead-letters.js';
import { FixedClock } from '../support/fixed-clock.js';
import { localOidc } from '../support/oidc-tokens.js';
import { aPushEnvelope } from '../support/pubsub-envelope.js';
import { roleHarness, type LogEntry } from '../support/role-harness.js';

const oidc = localOidc('https://vocoeng-api.example.run.app', 'pubsub-push@demo.iam.gserviceaccount.com');
const TEXT = 'Meine Karte wurde zweimal belastet ☕';

/** What Pub/Sub adds to a message it forwards to the dead-letter topic. */
const forwarded = (attributes: Record<string, string>, count = 5) => ({
  ...attributes,
  CloudPubSubDeadLetterSourceSubscription: 'vocoeng-inbound-worker',
  CloudPubSubDeadLetterSourceSubscriptionProject: 'demo',
  CloudPubSubDeadLetterSourceDeliveryCount: String(count),
  CloudPubSubDeadLetterSourceTopicPublishTime: '2026-11-25T12:00:00.000Z',
});

/** The route as the api role mounts it, with push OIDC checked against local keys and every log line captured. */
function aDeadLetterApi(store: DeadLetterStore = new InMemoryDeadLetterStore()) {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: 'info', stream });
  const pushAuth = new GoogleOidcPushAuthenticator({ audience: oidc.audience, serviceAccountEmail: oidc.email, certificates: oidc.certificates });
  const app = createApp('api', { ready: true }, logger, [deadLetterPushRoutes({ deadLetters: store, clock: new FixedClock(), logger, pushAuth })]);
  const push = (envelope: unknown, authorization: string | undefined = `Bearer ${oidc.token()}`) =>
    app.request(DEAD_LETTER_PUSH_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(envelope),
    });
  return { store, push, logs: () => lines.map((line) => JSON.parse(line) as LogEntry), logText: () => lines.join('\n') };
}

describe('POST /internal/pubsub/dead-letters', () => {
  it('stores a dead-lettered inbound message once, with its attempts and own attributes, however often it is pushed', async () => {
    const api = aDeadLetterApi();
    const message = aMessage({ text: TEXT });
    const envelope = aPushEnvelope({ kind: 'message', message }, { attributes: forwarded({ kind: 'message', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }) });

    const statuses = [(await api.push(envelope)).status, (await api.push(envelope)).status, ...(await Promise.all([api.push(envelope), api.push(envelope)])).map((r) => r.status)];

    expect(statuses).toEqual([204, 204, 204, 204]);
    const { items } = await api.store.list({ limit: 10 });
    expect(items).toEqual([
      {
        id: expect.any(String),
        topic: 'inbound',
        event: { kind: 'message', message },
        messageId: envelope.message.messageId,
        orderingKey: message.conversationId,
        conversationId: message.conversationId,
        attributes: { kind: 'message', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        deliveryAttempts: 5,
        deadLetteredAt: new FixedClock().now(),
        replayedAt: null,
        replays: 0,
      },
    ]);
    // A message that was never answered: an Error Reporting event, though no exception is at hand.
    expect(api.logs().filter((l) => l.message === 'dead letter stored')).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        '@type': 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent',
        serviceContext: { service: expect.any(String), version: expect.any(String) },
        context: { reportLocation: expect.objectContaining({ filePath: expect.stringContaining('dead-letter-push-routes') }) },
        deadLetterId: items[0]!.id,
        topic: 'inbound',
        conversationId: message.conversationId,
        deliveryAttempts: 5,
      }),
    ]);
    expect(api.logs().filter((l) => l.message === 'dead letter already stored')).toHaveLength(3);
    expect(api.logText()).not.toContain('zweimal');
  });

  it('stores a dead-lettered interaction event under the interactions topic', async () => {
    const api = aDeadLetterApi();
    const { event, conversationId } = anInteractionDeadLetter(aMessage());

    expect((await api.push(aPushEnvelope(event, { attributes: forwarded({ kind: 'message' }, 3) }))).status).toBe(204);

    expect((await api.store.list({ limit: 10 })).items).toEqual([expect.objectContaining({ topic: 'interactions', event, conversationId, deliveryAttempts: 3 })]);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a token of another signer', `Bearer ${oidc.token({}, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)}`],
    ['a token for another audience', `Bearer ${oidc.token({ aud: 'https://elsewhere.example' })}`],
    ['a token of another service account', `Bearer ${oidc.token({ email: 'mallory@evil.iam.gserviceaccount.com' })}`],
  ])('answers 401 and stores nothing for %s', async (_case, authorization) => {
    const api = aDeadLetterApi();
    const response = await api.push(aPushEnvelope({ kind: 'message', message: aMessage({ text: TEXT }) }, { attributes: forwarded({}) }), authorization ?? '');
    expect(response.status).toBe(401);
    expect((await api.store.list({ limit: 10 })).items).toEqual([]);
    expect(api.logs().map((l) => l.message)).toContain('pubsub push rejected');
  });

  it('acks and stores nothing when the data is no event of ours (the pull subscription keeps a copy)', async () => {
    const api = aDeadLetterApi();
    for (const data of [{ kind: 'message' }, { hello: 'world' }, 'not json']) {
      expect((await api.push(aPushEnvelope(data))).status).toBe(204);
    }
    expect((await api.store.list({ limit: 10 })).items).toEqual([]);
    expect(api.logs().filter((l) => l.message === 'pubsub message cannot be decoded; acknowledged as failed')).toHaveLength(3);
  });

  it('answers 503 so Pub/Sub pushes again while the store is unavailable', async () => {
    class Unavailable extends DomainError {
      constructor() {
        super('chat_store_unavailable', 'database is down', true);
      }
    }
    const store = new InMemoryDeadLetterStore();
    const api = aDeadLetterApi(Object.assign(Object.create(store) as DeadLetterStore, { add: () => Promise.reject(new Unavailable()) }));
    const response = await api.push(aPushEnvelope({ kind: 'message', message: aMessage() }, { attributes: forwarded({}) }));
    expect(response.status).toBe(503);
  });

  it('is mounted in the role that runs the api, on its dead-letter store', async () => {
    const h = await roleHarness();
    const message = aMessage({ text: TEXT });
    const response = await h.app.request(DEAD_LETTER_PUSH_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(aPushEnvelope({ kind: 'message', message }, { messageId: randomUUID(), attributes: forwarded({ kind: 'message' }) })),
    });
    expect(response.status).toBe(204);
    const store = h.runtime.container.get(TOKENS.DeadLetterStore);
    expect((await store.list({ limit: 10 })).items.map((l) => l.conversationId)).toEqual([message.conversationId]);
  });
});
