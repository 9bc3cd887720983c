import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { MIGRATIONS } from '../../src/adapters/postgres/database.js';
import { createPubSub } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { planFrom, provision, type ProvisionEnv, type ProvisionPlan } from '../../src/adapters/pubsub/provision.js';
import { AdminClient } from '../support/admin-client.js';
import type { Child } from '../support/child-process.js';
import { deployedService, flagValues } from '../support/cloud-build.js';
import { cloudSqlMount, healthy, onPostgres, startDeployedRole, until as untilWithin } from '../support/deployed-roles.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { sensitive } from '../support/log-sink.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { aFreePort } from '../support/ports.js';
import { LocalIssuer, PushRelay } from '../support/push-relay.js';
import { SecretManagerDouble } from '../support/secret-manager-double.js';
import { metaJson, metaSignature } from '../support/signing.js';
import { aWamid, someParties, textNotification, voiceNotification, type WhatsAppParties } from '../support/whatsapp-notifications.js';

// The Google Cloud deployment rehearsed on this machine. Each service's role, environment, secret
// names and push audience come from its Cloud Build file (parsed and substituted, never copied);
// the secrets from a Secret Manager double over gRPC; the api's database URL has the Cloud SQL
// socket form the README prescribes, its /cloudsql/INSTANCE directory mapped to a temporary one
// whose socket leads to the run's PostgreSQL. Pub/Sub is provisioned as the README says
// (`provision()`, what `npm run provision` runs, with the README's variables). Between the
// emulator, which signs nothing, and each receiving role sits a relay playing Pub/Sub's part: it
// adds the OIDC token provisioning asked for on the pushing subscription, minted by a local issuer
// the roles trust through a test-only preload (test/support/federated-certs-hook.ts). The roles
// verify those tokens for real, so provisioning and the deploy files must agree.
// Isolation: a project id of its own (Pub/Sub, Firestore, Secret Manager), so the deployed default
// topic and subscription names are this run's alone.

const run = randomUUID().slice(0, 8);
/** The test substitution set: Cloud Build's built-ins as a trigger would set them, nothing else. */
const SUBSTITUTIONS = { PROJECT_ID: `rehearsal-${run}`, SHORT_SHA: `r${run.slice(0, 6)}` };
const project = SUBSTITUTIONS.PROJECT_ID;
/** Three cold tsx starts at once; on a loaded 2-core machine they have taken close to a minute. */
const READY_MS = 75_000;
const WAIT_MS = 30_000;
const MAX_ATTEMPTS = 5;
const WORKER_SUBSCRIPTION = 'vocoeng-inbound-worker';

const services = {
  listener: deployedService('cloudbuild.webhook.yaml', SUBSTITUTIONS),
  worker: deployedService('cloudbuild.worker.yaml', SUBSTITUTIONS),
  api: deployedService('cloudbuild.api.yaml', SUBSTITUTIONS),
};
type ServiceName = keyof typeof services;
const SERVICE_NAMES = Object.keys(services) as ServiceName[];

const openAiKey = sensitive(`sk-rehearsal-${randomBytes(12).toString('hex')}`);
const graph = new GraphApiDouble({ accessToken: sensitive(`EAAG-rehearsal-${randomBytes(12).toString('hex')}`) });
const openai = new OpenAiDouble({ apiKey: openAiKey });
const secretManager = new SecretManagerDouble(project);
const issuer = new LocalIssuer();
const pubsub = createPubSub(project, { apiEndpoint: inject('pubsubEmulatorHost') });
const roles = new Map<ServiceName, Child>();
const ports = new Map<ServiceName, number>();
const baseUrl = (name: ServiceName) => `http://127.0.0.1:${ports.get(name)}`;
const relays = {
  worker: new PushRelay(pubsub, issuer, () => baseUrl('worker'), services.worker.customAudiences),
  api: new PushRelay(pubsub, issuer, () => baseUrl('api'), services.api.customAudiences),
};
const databaseName = `t_${randomBytes(6).toString('hex')}`;
let databaseCreated = false;
let tempDir = '';
let secretManagerEndpoint = '';
let secrets: Record<string, string> = {};
let plan: ProvisionPlan | undefined;
const provisionLog: string[] = [];

/** The Cloud SQL instance the api deploy attaches (`--add-cloudsql-instances`). */
function cloudSqlInstance(): string {
  const [instance, ...others] = flagValues(services.api.argv, '--add-cloudsql-instances');
  expect(others).toEqual([]);
  expect(instance).toMatch(/^[^:]+:[^:]+:[^:]+$/);
  return instance!;
}

/** What each secret the deploy files name holds here; the api's database URL in the README's Cloud SQL socket form. */
function secretValues(cloudSqlRoot: string): Record<string, string> {
  const server = new URL(inject('postgresUrl'));
  const user = `${server.username}${server.password ? `:${server.password}` : ''}`;
  return {
    'whatsapp-app-secret': sensitive(randomBytes(16).toString('hex')),
    'whatsapp-verify-token': sensitive(`verify-${randomUUID()}`),
    'api-webhook-secret': sensitive(`whsec_${randomBytes(32).toString('base64')}`),
    'whatsapp-access-token': graph.accessToken,
    'openai-api-key': openAiKey,
    'api-callback-secret': sensitive(`whsec_${randomBytes(32).toString('base64')}`),
    'bootstrap-api-key': sensitive(`vk_${randomBytes(24).toString('base64url')}`),
    'admin-password': sensitive(`pw-${randomBytes(12).toString('base64url')}`),
    // postgresql://USER:PASSWORD@/DB?host=/cloudsql/PROJECT:REGION:INSTANCE, /cloudsql being cloudSqlRoot here.
    'database-url': sensitive(`postgresql://${user}@/${databaseName}?host=${cloudSqlRoot}/${cloudSqlInstance()}`),
  };
}

/** `npm run provision` as the README gives it: the push service account and the two service URLs (here: their relays). */
function provisionEnv(overrides: ProvisionEnv = {}): ProvisionEnv {
  return {
    PUSH_SERVICE_ACCOUNT: `vocoeng-pubsub-push@${project}.iam.gserviceaccount.com`,
    WORKER_PUSH_ENDPOINT: `${relays.worker.origin}/pubsub/push`,
    API_PUSH_ENDPOINT: `${relays.api.origin}/internal/pubsub/interactions`,
    ...overrides,
  };
}

/**
 * The plan, except where the emulator differs from Pub/Sub: it cannot dead-letter from an ordered
 * subscription, and its retry backoff would space the 5 attempts minutes apart, so the worker's
 * subscription goes without both (as in test/e2e/dead-letter.test.ts). Endpoints and OIDC identities are untouched.
 */
async function provisionOnEmulator(env: ProvisionEnv) {
  const planned = planFrom(env);
  plan = { ...planned, subscriptions: planned.subscriptions.map((s) => (s.name === WORKER_SUBSCRIPTION ? { ...s, ordering: false, retry: undefined } : s)) };
  return provision(pubsub, plan, (line) => provisionLog.push(line));
}

/** What a machine adds to a deployed environment: its port and revision, and where the outside world is (emulators, doubles, the issuer's keys). */
function machineEnv(name: ServiceName): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    METADATA_SERVER_DETECTION: 'none',
    HOST: '127.0.0.1',
    PORT: String(ports.get(name)),
    K_SERVICE: services[name].service,
    K_REVISION: `${services[name].service}-00001-${run.slice(0, 3)}`,
    PUBSUB_EMULATOR_HOST: inject('pubsubEmulatorHost'),
    FIRESTORE_EMULATOR_HOST: inject('firestoreEmulatorHost'),
    SECRET_MANAGER_ENDPOINT: secretManagerEndpoint,
    WHATSAPP_API_BASE_URL: graph.baseUrl,
    OPENAI_BASE_URL: openai.baseUrl,
    VOCOENG_TEST_FEDERATED_CERTS_URL: issuer.certsUrl,
  };
}

function spawnRole(name: ServiceName): Child {
  const machine = machineEnv(name);
  // The machine only adds: nothing the deploy file sets is overridden.
  expect(Object.keys(services[name].env).filter((key) => key in machine)).toEqual([]);
  const child = startDeployedRole({ ...services[name].env, ...machine });
  roles.set(name, child);
  return child;
}

const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = WAIT_MS) => untilWithin(what, probe, timeoutMs);

function printLogs(): void {
  for (const [name, child] of roles) {
    process.stderr.write(`\n===== ${name} stdout (tail) =====\n${child.stdout.split('\n').slice(-60).join('\n')}\n===== ${name} stderr =====\n${child.stderr}\n`);
  }
}

let health: Record<string, { status: string; role: string }> = {};

beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'vocoeng-rehearsal-'));
  secrets = secretValues(await cloudSqlMount(tempDir, cloudSqlInstance()));
  // Empty, as a new Cloud SQL database is: the api migrates it at start.
  await onPostgres(`create database ${databaseName}`);
  databaseCreated = true;
  for (const [name, value] of Object.entries(secrets)) secretManager.set(name, value);
  const started = await secretManager.start();
  secretManagerEndpoint = `${started.apiEndpoint}:${started.port}`;
  await Promise.all([graph.start(), openai.start(), issuer.start(), relays.worker.start(), relays.api.start()]);
  for (const name of SERVICE_NAMES) ports.set(name, await aFreePort());

  await provisionOnEmulator(provisionEnv());
  const startedAt = Date.now();
  for (const name of SERVICE_NAMES) spawnRole(name);
  const answers = await Promise.all(SERVICE_NAMES.map((name) => healthy(roles.get(name)!, baseUrl(name), READY_MS)));
  health = Object.fromEntries(SERVICE_NAMES.map((name, i) => [name, answers[i]!]));
  process.stdout.write(`deploy rehearsal: listener, worker and api healthy ${Date.now() - startedAt} ms after start\n`);
}, 120_000);

afterAll(async () => {
  await Promise.all(
    [...roles.values()].map(async (child) => {
      child.process.kill('SIGTERM');
      await child.waitForExit(10_000).catch(() => child.kill());
    }),
  );
  // The emulator outlives this file: nothing may keep pushing to ports that are gone.
  await Promise.allSettled(plan?.subscriptions.map((s) => pubsub.subscription(s.name).delete()) ?? []);
  await pubsub.close();
  await Promise.allSettled([graph.stop(), openai.stop(), issuer.stop(), relays.worker.stop(), relays.api.stop(), secretManager.stop()]);
  if (databaseCreated) await onPostgres(`drop database if exists ${databaseName} with (force)`);
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}, 40_000);

// ---------------------------------------------------------------------------------------------

interface Summary {
  messagesIn: number;
  messagesOut: number;
}

async function summary(): Promise<Summary> {
  const answer = await fetch(`${baseUrl('api')}/api/v1/analytics/summary`, { headers: { authorization: `Bearer ${secrets['bootstrap-api-key']}` } });
  expect(answer.status).toBe(200);
  return (await answer.json()) as Summary;
}

/** Posts like Meta: escaped-unicode JSON signed with the app secret over those exact bytes. */
async function postFromMeta(notification: unknown): Promise<Response> {
  const raw = metaJson(notification);
  return fetch(`${baseUrl('listener')}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, secrets['whatsapp-app-secret']!) },
    body: raw,
  });
}

const sendsTo = (parties: WhatsAppParties) => graph.sends.filter((r) => r.phoneNumberId === parties.phoneNumberId);
const pushesOf = (relay: PushRelay, subscription: string) => relay.pushes.filter((p) => p.subscription === subscription);
const pushAccount = () => services.worker.env['PUSH_SERVICE_ACCOUNT'];

describe('the deploy rehearsal: the three Cloud Build files on the emulators', { timeout: 120_000 }, () => {
  it('starts each service with the role, environment and secrets its Cloud Build file deploys', async () => {
    onTestFailed(printLogs);
    expect(SERVICE_NAMES.map((name) => [services[name].service, health[name]])).toEqual([
      ['vocoeng-webhook-listener', { status: 'ok', role: 'listener' }],
      ['vocoeng-worker', { status: 'ok', role: 'worker' }],
      ['vocoeng-api', { status: 'ok', role: 'api' }],
    ]);
    for (const name of SERVICE_NAMES) expect(health[name]?.role).toBe(services[name].env['ROLE']);
    // Every secret a deploy file names was read from Secret Manager (the double holds no other).
    const named = SERVICE_NAMES.flatMap((name) => services[name].secretNames);
    expect([...named].sort()).toEqual(Object.keys(secrets).sort());
    for (const name of named) expect(secretManager.calls).toContain(`projects/${project}/secrets/${name}/versions/latest`);
    // The roles that take pushes verify OIDC: neither file opts out.
    for (const name of ['worker', 'api'] as const) {
      expect(services[name].env['PUSH_AUTH']).toBeUndefined();
      expect(services[name].customAudiences).toEqual([services[name].env['PUSH_AUDIENCE']]);
    }
    // The api reached its (empty) database through the Cloud SQL socket form of the database-url secret, and migrated it.
    // (A request first: the pool lets idle sessions go.)
    await summary();
    const sessions = await onPostgres<{ socket: boolean }>(`select client_addr is null as socket from pg_stat_activity where datname = '${databaseName}'`);
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((row) => row.socket)).toBe(true);
    const applied = await onPostgres<{ name: string }>('select name from mikro_orm_migrations order by id', databaseName);
    expect(applied.map((row) => row.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('provisions each push subscription with the audience and service account its receiving service verifies, and prints them', () => {
    const pushes = plan!.subscriptions.filter((s) => s.delivery.mode === 'push');
    expect(pushes.map((s) => s.name).sort()).toEqual(['vocoeng-inbound-dead-letter-push', 'vocoeng-inbound-worker', 'vocoeng-interactions-api', 'vocoeng-interactions-dead-letter-push']);
    for (const s of pushes) {
      const receiver = s.name === WORKER_SUBSCRIPTION ? services.worker : services.api;
      const delivery = s.delivery as { endpoint: string; audience: string; serviceAccountEmail: string };
      expect({ audience: delivery.audience, account: delivery.serviceAccountEmail }).toEqual({ audience: receiver.env['PUSH_AUDIENCE'], account: receiver.env['PUSH_SERVICE_ACCOUNT'] });
      expect(provisionLog).toContain(`subscription ${s.name}: created (push to ${delivery.endpoint}, audience ${delivery.audience}, as ${delivery.serviceAccountEmail})`);
    }
  });

  it('answers a signed WhatsApp message through the Graph API and counts it in the api, every push verified', async () => {
    onTestFailed(printLogs);
    const parties = someParties();
    const inboundId = aWamid();
    const userText = `Habt ihr am Sonntag geöffnet? ${randomUUID()}`;
    const before = await summary();

    expect((await postFromMeta(textNotification(parties, { id: inboundId, body: userText }))).status).toBe(200);

    const [send] = await until('the reply reaches the Graph double', () => (sendsTo(parties).length > 0 ? sendsTo(parties) : undefined));
    expect(send!.headers.authorization).toBe(`Bearer ${graph.accessToken}`);
    expect(send!.body).toMatchObject({ to: parties.customer, type: 'text', text: { body: expect.stringContaining(userText) }, context: { message_id: inboundId } });
    expect(openai.chatRequests.at(-1)?.headers.authorization).toBe(`Bearer ${openAiKey}`);
    const after = await until('the api counts the turn', async () => {
      const current = await summary();
      return current.messagesOut >= before.messagesOut + 1 ? current : undefined;
    });
    expect(after).toMatchObject({ messagesIn: before.messagesIn + 1, messagesOut: before.messagesOut + 1 });

    // Both hops were pushes with the token provisioning asked for, accepted by the role that verified it.
    const accepted = (relay: PushRelay, subscription: string, receiver: typeof services.worker) =>
      expect(pushesOf(relay, subscription)).toContainEqual({
        subscription,
        path: expect.any(String),
        identity: { audience: receiver.env['PUSH_AUDIENCE'], serviceAccountEmail: receiver.env['PUSH_SERVICE_ACCOUNT'] },
        cloudRunAccepts: true,
        status: 204,
      });
    accepted(relays.worker, WORKER_SUBSCRIPTION, services.worker);
    accepted(relays.api, 'vocoeng-interactions-api', services.api);
    expect([...relays.worker.pushes, ...relays.api.pushes].filter((p) => p.status === 401 || p.status === 403)).toEqual([]);
    // The roles fetched the issuer's keys through google-auth-library's own certificate request.
    expect(issuer.certificateRequests).toBeGreaterThanOrEqual(2);
    expect(sendsTo(parties)).toHaveLength(1);
  });

  it('dead-letters a poisoned message to the api, which replays it once from the dashboard, and then answers it', async () => {
    onTestFailed(printLogs);
    const parties = someParties();
    const mediaId = `media-${randomUUID()}`;
    graph.addMedia(mediaId, randomBytes(2_048), 'audio/ogg; codecs=opus');
    // Every lookup of the voice note's media fails while it is poisoned: a 503 a redelivery might cure.
    graph.failNextMedia(MAX_ATTEMPTS, { status: 503, message: 'media store unavailable' }, 'media-info');
    const nacked = () => pushesOf(relays.worker, WORKER_SUBSCRIPTION).filter((p) => p.status === 503).length;

    expect((await postFromMeta(voiceNotification(parties, { id: aWamid(), mediaId }))).status).toBe(200);

    await until('Pub/Sub pushes the dead letter to the api', () =>
      pushesOf(relays.api, 'vocoeng-inbound-dead-letter-push').find((p) => p.status === 204 && p.identity?.audience === services.api.env['PUSH_AUDIENCE']),
    );
    expect(nacked()).toBe(MAX_ATTEMPTS);
    expect(sendsTo(parties)).toEqual([]);

    // The operator signs in with the deployed ADMIN_EMAIL and the admin-password secret and replays it.
    const admin = new AdminClient((request) => fetch(request, { redirect: 'manual' }), baseUrl('api'));
    expect((await admin.signIn(services.api.env['ADMIN_EMAIL']!, secrets['admin-password']!)).status).toBe(303);
    const page = await (await admin.get('/admin/dead-letters')).text();
    const ids = [...page.matchAll(/\/admin\/dead-letters\/([^/"]+)\/replay/g)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(1);
    const acked = () => pushesOf(relays.worker, WORKER_SUBSCRIPTION).filter((p) => p.status >= 200 && p.status < 300).length;
    const ackedBefore = acked();
    const replayed = await admin.submit('/admin/dead-letters', `/admin/dead-letters/${ids[0]}/replay`, {});
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toContain('done=dead-letter-replayed');

    const [send] = await until('the replayed message is answered', () => (sendsTo(parties).length > 0 ? sendsTo(parties) : undefined));
    expect(send!.outcome.kind).toBe('accepted');
    // The replay published one copy; a push is acked only after its handling (the send included).
    await until('the worker acks the replayed push', () => (acked() > ackedBefore ? true : undefined));
    expect(sendsTo(parties)).toHaveLength(1);
  });

  it('rejects every push, and answers nothing, when provisioning gives the worker subscription an audience the worker does not verify', async () => {
    onTestFailed(printLogs);
    const wrong = `${services.worker.env['PUSH_AUDIENCE']}-elsewhere`;
    const parties = someParties();
    try {
      const results = await provisionOnEmulator(provisionEnv({ WORKER_PUSH_AUDIENCE: wrong }));
      expect(results.find((r) => r.name === WORKER_SUBSCRIPTION)?.action).toBe('updated');

      expect((await postFromMeta(textNotification(parties, { id: aWamid(), body: `Still open? ${randomUUID()}` }))).status).toBe(200);

      const rejected = await until('the worker answers a push with the wrong audience', () =>
        pushesOf(relays.worker, WORKER_SUBSCRIPTION).find((p) => p.identity?.audience === wrong),
      );
      // Cloud Run would refuse it before the app (not a custom audience of the worker); the worker refuses it too.
      expect(rejected).toMatchObject({ identity: { audience: wrong, serviceAccountEmail: pushAccount() }, cloudRunAccepts: false, status: 401 });
      // Pub/Sub pushes the refused message again: the redelivery is refused too, and nothing was answered meanwhile.
      const wrongAudience = () => pushesOf(relays.worker, WORKER_SUBSCRIPTION).filter((p) => p.identity?.audience === wrong);
      await until('Pub/Sub pushes the refused message again', () => (wrongAudience().length >= 2 ? true : undefined));
      expect(wrongAudience().every((p) => p.status === 401)).toBe(true);
      expect(sendsTo(parties)).toEqual([]);
      expect(roles.get('worker')!.stdout).toContain('wrong audience');
    } finally {
      await provisionOnEmulator(provisionEnv());
    }
  });
});
