import type { Message, Subscription } from '@google-cloud/pubsub';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { createPubSub } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { apiSubscriptionOf, planFrom, provision, type ProvisionEnv, type ProvisionPlan } from '../../src/adapters/pubsub/provision.js';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import { aFreshDatabase } from '../support/databases.js';
import type { Child } from '../support/child-process.js';
import { spawnMain } from '../support/role-process.js';
import { GraphApiDouble, type GraphRequest } from '../support/graph-api-double.js';
import { aFreePort } from '../support/ports.js';
import { aWebhookSecret, metaJson, metaSignature } from '../support/signing.js';
import { ToolServer } from '../support/tool-server.js';
import { aWamid, someParties, textNotification, type WhatsAppParties } from '../support/whatsapp-notifications.js';

// The production topology on one machine: listener, worker and api as three separate processes
// (`process.execPath --import tsx src/main.ts`, one ROLE each) on the run's Pub/Sub and Firestore
// emulators, wired by push subscriptions exactly as `provision()` creates them. A pull-mode worker
// (with its own listener and inbound topic) feeds the same api. Isolation from other suites: topic
// and subscription names unique to this run, a fresh phone_number_id (so a fresh conversation and
// Firestore documents) per test, analytics compared against a baseline taken before each test.

const project = inject('emulatorProject');
const pubsubHost = inject('pubsubEmulatorHost');
const firestoreHost = inject('firestoreEmulatorHost');

const READY_MS = 20_000;
const STOP_MS = 10_000;
const SETTLE_MS = 20_000;
const TRACE_KEY = 'logging.googleapis.com/trace';
/** The whole file (start-up and every wait) stays within this bound; teardown is bounded separately. */
const SUITE_MS = 90_000;
let suiteDeadline = Date.now() + SUITE_MS;

const run = randomUUID().slice(0, 8);
const names = {
  inbound: `cloud-${run}-in`,
  interactions: `cloud-${run}-ix`,
  worker: `cloud-${run}-worker`,
  api: `cloud-${run}-api`,
  pullInbound: `cloud-${run}-pull-in`,
  pullWorker: `cloud-${run}-pull-worker`,
  /** A second subscription on the interactions topic: what the api receives, seen by the test. */
  interactionsProbe: `cloud-${run}-ix-probe`,
};

const secrets = {
  appSecret: randomBytes(16).toString('hex'),
  verifyToken: `verify-${randomUUID()}`,
  apiKey: `vk_${randomBytes(24).toString('base64url')}`,
  /** Signs the tools' requests (and API callbacks). */
  callback: aWebhookSecret(),
};

type RoleName = 'listener' | 'worker' | 'api' | 'pull-listener' | 'pull-worker';

interface RoleProcess {
  name: RoleName;
  port: number;
  baseUrl: string;
  child: Child;
}

const graph = new GraphApiDouble();
const tools = new ToolServer();
const pubsub = createPubSub(project, { apiEndpoint: pubsubHost });
let probe: Subscription | undefined;
const interactionMessages: { attributes: Record<string, string> }[] = [];
const roles = new Map<RoleName, RoleProcess>();
const role = (name: RoleName): RoleProcess => {
  const found = roles.get(name);
  if (!found) throw new Error(`${name} is not running`);
  return found;
};

/** Our plan under this run's names. */
function planFor(env: ProvisionEnv): ProvisionPlan {
  const plan = planFrom(env);
  return { ...plan, subscriptions: plan.subscriptions.map((s) => (s.name === apiSubscriptionOf(s.topic) ? { ...s, name: names.api } : s)) };
}

function spawnRole(name: RoleName, port: number, env: Record<string, string>): RoleProcess {
  const child = spawnMain({
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      METADATA_SERVER_DETECTION: 'none',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      // The emulator pushes without an OIDC token.
      PUSH_AUTH: 'none',
      PROJECT_ID: project,
      PUBSUB_EMULATOR_HOST: pubsubHost,
      FIRESTORE_EMULATOR_HOST: firestoreHost,
      PUBSUB_INTERACTIONS_TOPIC: names.interactions,
      ...env,
  });
  const started: RoleProcess = { name, port, baseUrl: `http://127.0.0.1:${port}`, child };
  roles.set(name, started);
  return started;
}

const isReadyLine = (line: string) => /"message":"VocoEng \w+ ready on /.test(line);

/** SIGTERM, then SIGKILL when the process is still there after `STOP_MS`. */
async function stopRole(started: RoleProcess): Promise<void> {
  const { process: proc } = started.child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  try {
    await started.child.waitForExit(STOP_MS);
  } catch {
    await started.child.kill();
  }
}

function printLogs(): void {
  for (const { name, child } of roles.values()) {
    const tail = (text: string) => text.split('\n').slice(-150).join('\n');
    process.stderr.write(`\n===== ${name} stdout (tail) =====\n${tail(child.stdout)}\n===== ${name} stderr =====\n${tail(child.stderr)}\n`);
  }
}

let database: Awaited<ReturnType<typeof aFreshDatabase>>;

beforeAll(async () => {
  // The api role on a PostgreSQL database of its own; the handle is only to drop it afterwards.
  database = await aFreshDatabase('postgres');
  suiteDeadline = Date.now() + SUITE_MS;
  await Promise.all([graph.start(), tools.start()]);
  const [listenerPort, workerPort, apiPort, pullListenerPort, pullWorkerPort] = await Promise.all(Array.from({ length: 5 }, () => aFreePort()));
  const endpoints = { API_PUSH_ENDPOINT: `http://127.0.0.1:${apiPort}/internal/pubsub/interactions` };

  await provision(
    pubsub,
    planFor({
      PUBSUB_TOPIC: names.inbound,
      PUBSUB_INTERACTIONS_TOPIC: names.interactions,
      PUBSUB_SUBSCRIPTION: names.worker,
      WORKER_PUSH_ENDPOINT: `http://127.0.0.1:${workerPort}/pubsub/push`,
      ...endpoints,
    }),
    () => {},
  );
  // The pull variant: its own inbound topic and pull subscription, the same interactions topic and api.
  await provision(
    pubsub,
    planFor({ PUBSUB_TOPIC: names.pullInbound, PUBSUB_INTERACTIONS_TOPIC: names.interactions, PUBSUB_SUBSCRIPTION: names.pullWorker, ...endpoints }),
    () => {},
  );
  await pubsub.topic(names.interactions).createSubscription(names.interactionsProbe);
  probe = pubsub.subscription(names.interactionsProbe);
  probe.on('message', (message: Message) => {
    interactionMessages.push({ attributes: { ...message.attributes } });
    message.ack();
  });

  const listenerEnv = { WHATSAPP_APP_SECRET: secrets.appSecret, WHATSAPP_VERIFY_TOKEN: secrets.verifyToken };
  const workerEnv = {
    AI_PROVIDER: 'scripted',
    WHATSAPP_ACCESS_TOKEN: graph.accessToken,
    WHATSAPP_API_BASE_URL: graph.baseUrl,
    API_CALLBACK_SECRET: secrets.callback,
    CALLBACK_ALLOWED_HOSTS: '127.0.0.1',
  };
  const started = [
    spawnRole('listener', listenerPort!, { ROLE: 'listener', PUBSUB_TOPIC: names.inbound, ...listenerEnv }),
    spawnRole('worker', workerPort!, { ROLE: 'worker', WORKER_MODE: 'push', PUBSUB_TOPIC: names.inbound, ...workerEnv }),
    spawnRole('api', apiPort!, { ROLE: 'api', PUBSUB_TOPIC: names.inbound, BOOTSTRAP_API_KEY: secrets.apiKey, DATABASE_URL: database.url! }),
    spawnRole('pull-listener', pullListenerPort!, { ROLE: 'listener', PUBSUB_TOPIC: names.pullInbound, ...listenerEnv }),
    spawnRole('pull-worker', pullWorkerPort!, {
      ROLE: 'worker',
      WORKER_MODE: 'pull',
      PUBSUB_TOPIC: names.pullInbound,
      PUBSUB_SUBSCRIPTION: names.pullWorker,
      ...workerEnv,
    }),
  ];
  await Promise.all(started.map((r) => r.child.waitForLine(isReadyLine, READY_MS)));
}, 45_000);

afterAll(async () => {
  await database?.close();
  await Promise.all([...roles.values()].map(stopRole));
  await probe?.close();
  // The emulator lives on for the rest of the run: nothing may keep pushing to ports that are gone.
  const subscriptions = [names.worker, names.api, names.pullWorker, names.interactionsProbe];
  await Promise.allSettled(subscriptions.map((name) => pubsub.subscription(name).delete()));
  await pubsub.close();
  await Promise.all([graph.stop(), tools.stop()]);
}, 30_000);

// ---------------------------------------------------------------------------------------------

interface Summary {
  messagesIn: number;
  messagesOut: number;
  conversations: number;
  failures: { total: number };
}

async function apiGet<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${role('api').baseUrl}${path}`, { headers: { authorization: `Bearer ${secrets.apiKey}` } });
  return { status: response.status, body: (await response.json()) as T };
}

async function summary(): Promise<Summary> {
  const { status, body } = await apiGet<Summary>('/api/v1/analytics/summary');
  expect(status).toBe(200);
  return body;
}

/** Polls `probe` every 200 ms until it returns a value, for at most `timeoutMs` (and never past the suite's bound). */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = SETTLE_MS): Promise<T> {
  const deadline = Math.min(Date.now() + timeoutMs, suiteDeadline);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function aTraceparent(): { header: string; traceId: string; logValue: string } {
  const traceId = randomBytes(16).toString('hex');
  return { header: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, traceId, logValue: `projects/${project}/traces/${traceId}` };
}

/** Posts like Meta: escaped-unicode JSON signed over those exact bytes, with a W3C trace header. */
async function postFromMeta(listener: RoleProcess, notification: unknown, traceparent: string): Promise<Response> {
  const raw = metaJson(notification);
  return fetch(`${listener.baseUrl}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, secrets.appSecret), traceparent },
    body: raw,
  });
}

const sendsTo = (parties: WhatsAppParties): GraphRequest[] => graph.sends.filter((r) => r.phoneNumberId === parties.phoneNumberId);
const readReceiptsTo = (parties: WhatsAppParties): GraphRequest[] => graph.readReceipts.filter((r) => r.phoneNumberId === parties.phoneNumberId);
const aReadReceiptOf = (inboundId: string) => ({ messaging_product: 'whatsapp', status: 'read', message_id: inboundId, typing_indicator: { type: 'text' } });
const linesOf = (name: RoleName, traceLogValue: string) => role(name).child.jsonLines.filter((line) => line[TRACE_KEY] === traceLogValue);

interface TranscriptEntry {
  id: string;
  state: string;
  text: string | null;
  outboundIds: string[];
  reply: { text: string; kind: string; model: string | null } | null;
}

/** One inbound text through listener → Pub/Sub → worker → Graph double → Pub/Sub → api, checked at every hop. */
async function expectOneAnsweredTurn(listenerName: RoleName, workerName: RoleName): Promise<void> {
  const parties = someParties();
  const inboundId = aWamid();
  const userText = `Habt ihr am Sonntag geöffnet? ☕ ${randomUUID()}`;
  const trace = aTraceparent();
  const before = await summary();

  const accepted = await postFromMeta(role(listenerName), textNotification(parties, { id: inboundId, body: userText }), trace.header);
  expect(accepted.status).toBe(200);

  // The Graph double receives exactly the reply, in the Graph API's format.
  const [send] = await until('the reply reaches the Graph double', () => (sendsTo(parties).length > 0 ? sendsTo(parties) : undefined));
  expect(send!.path).toBe(`/v23.0/${parties.phoneNumberId}/messages`);
  expect(send!.headers.authorization).toBe(`Bearer ${graph.accessToken}`);
  expect(send!.body).toEqual({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: parties.customer,
    type: 'text',
    text: { body: expect.stringContaining(userText), preview_url: false },
    context: { message_id: inboundId },
    biz_opaque_callback_data: `vocoeng:1:r:0:1:${inboundId}`,
  });
  expect(send!.outcome.kind).toBe('accepted');
  const outboundId = (send!.outcome as { wamid: string }).wamid;
  // Before the reply, the worker marked the message read with a typing indicator (once, on the first delivery).
  expect(readReceiptsTo(parties)).toHaveLength(1);
  const [receipt] = readReceiptsTo(parties);
  expect(receipt!.path).toBe(`/v23.0/${parties.phoneNumberId}/messages`);
  expect(receipt!.headers.authorization).toBe(`Bearer ${graph.accessToken}`);
  expect(receipt!.body).toEqual(aReadReceiptOf(inboundId));
  expect(receipt!.outcome).toEqual({ kind: 'read' });
  expect(graph.requests.indexOf(receipt!)).toBeLessThan(graph.requests.indexOf(send!));

  // The interaction reaches the api role through the interactions topic.
  const after = await until('the api counts the message', async () => {
    const current = await summary();
    return current.messagesIn >= before.messagesIn + 1 ? current : undefined;
  });
  expect(after.messagesIn).toBe(before.messagesIn + 1);
  expect(after.messagesOut).toBe(before.messagesOut + 1);
  expect(after.failures.total).toBe(before.failures.total);

  // The api reads the transcript from Firestore: the reply is sent, with the id the Graph API gave it.
  const conversationId = conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer);
  const transcript = await until('the transcript shows the sent reply', async () => {
    const { status, body } = await apiGet<{ messages: TranscriptEntry[] }>(`/api/v1/conversations/${conversationId}/messages`);
    return status === 200 && body.messages[0]?.state === 'sent' ? body : undefined;
  });
  expect(transcript.messages).toHaveLength(1);
  expect(transcript.messages[0]).toMatchObject({
    id: inboundId,
    text: userText,
    state: 'sent',
    outboundIds: [outboundId],
    reply: { text: (send!.body as { text: { body: string } }).text.body, kind: 'ai', model: 'scripted-echo-v1' },
  });

  // One turn, one trace: the listener's request trace is carried through Pub/Sub into the worker.
  expect(linesOf(listenerName, trace.logValue)).toContainEqual(expect.objectContaining({ message: 'POST /webhooks/whatsapp 200', published: 1 }));
  expect(linesOf(workerName, trace.logValue)).toContainEqual(expect.objectContaining({ message: 'inbound event handled', firstDelivery: true, state: 'sent' }));
  // …and the interaction event the worker publishes for the api carries it on.
  await until('the interaction event carries the trace', () =>
    interactionMessages.find((m) => m.attributes.traceparent?.startsWith(`00-${trace.traceId}-`)),
  );
  expect(sendsTo(parties)).toHaveLength(1);
  expect(readReceiptsTo(parties)).toHaveLength(1);
  turnTraces.push(trace.logValue);
}

/** The `logging.googleapis.com/trace` values of the turns answered so far. */
const turnTraces: string[] = [];

describe('the cloud topology: listener, worker and api as separate processes on the emulators', { timeout: 25_000 }, () => {
  it('answers a signed WhatsApp text through the Graph API and shows it in the api role when the worker consumes by push', async () => {
    onTestFailed(printLogs);
    await expectOneAnsweredTurn('listener', 'worker');
  });

  // Pub/Sub push sends no traceparent header: the api must continue the trace the message carries.
  it('carries the turn\'s trace into the api role\'s logs when the worker publishes the interaction', async () => {
    const trace = turnTraces.at(0);
    expect(trace, 'the first test recorded its turn').toBeDefined();
    const lines = linesOf('api', trace!);
    expect(lines.map((line) => line.message)).toEqual(expect.arrayContaining(['interaction recorded', 'POST /internal/pubsub/interactions 204']));
  });

  it('answers once, with one model call, when Meta posts the same message five times, sequentially and concurrently', async () => {
    onTestFailed(printLogs);
    const parties = someParties();
    const inboundId = aWamid();
    const notification = textNotification(parties, { id: inboundId, body: `Price list please ${randomUUID()}` });
    const trace = aTraceparent();
    const before = await summary();
    const post = () => postFromMeta(role('listener'), notification, trace.header);

    const statuses = [(await post()).status, (await post()).status, ...(await Promise.all([post(), post(), post()])).map((r) => r.status)];
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    await until('the api counts the message', async () => ((await summary()).messagesIn >= before.messagesIn + 1 ? true : undefined));
    // All five published copies delivered and handled: no copy is left that could still send.
    await until('the worker handles every published copy', () => {
      const copies = new Set(linesOf('worker', trace.logValue).filter((line) => line.message === 'inbound event handled').map((line) => line.messageId));
      return copies.size >= 5 ? copies : undefined;
    }, 60_000);

    expect(sendsTo(parties)).toHaveLength(1);
    expect(readReceiptsTo(parties).map((r) => r.body)).toEqual([aReadReceiptOf(inboundId)]);
    const after = await summary();
    expect(after.messagesIn).toBe(before.messagesIn + 1);
    expect(after.messagesOut).toBe(before.messagesOut + 1);
    const handled = linesOf('worker', trace.logValue).filter((line) => line.message === 'inbound event handled');
    expect(handled.filter((line) => line.firstDelivery === true)).toHaveLength(1);
    expect(handled.length).toBeGreaterThanOrEqual(1);
    expect(handled.length).toBeLessThanOrEqual(5);
    expect(handled.every((line) => line.state === 'sent')).toBe(true);
    expect(linesOf('listener', trace.logValue).filter((line) => line.message === 'POST /webhooks/whatsapp 200' && line.published === 1)).toHaveLength(5);
    expect(linesOf('worker', trace.logValue).filter((line) => line.severity === 'ERROR')).toEqual([]);
  });

  it('answers the same way when the worker consumes a pull subscription (WORKER_MODE=pull)', async () => {
    onTestFailed(printLogs);
    await expectOneAnsweredTurn('pull-listener', 'pull-worker');
    expect(role('pull-worker').child.jsonLines.map((line) => line.message)).toContain('pubsub pull consumer started');
  });

  it('hands a conversation to a person and back: the worker leaves what arrives meanwhile to them and sends the agent reply once', async () => {
    onTestFailed(printLogs);
    const parties = someParties();
    const conversationId = conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer);
    const trace = aTraceparent();
    const writes = async (body: string) => {
      const id = aWamid();
      expect((await postFromMeta(role('listener'), textNotification(parties, { id, body }), trace.header)).status).toBe(200);
      return id;
    };
    const apiPost = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(`${role('api').baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secrets.apiKey}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const before = (await summary()) as Summary & { agentReplies: { sent: number } };
    await writes('Hello, is this the shop?');
    await until('the bot answers', () => (sendsTo(parties).length === 1 ? true : undefined));

    expect(await apiPost(`/api/v1/conversations/${conversationId}/handoff`, { action: 'take', agent: 'Grace' })).toMatchObject({ status: 200, body: { mode: 'human' } });
    const meanwhile = await writes('I would rather talk to a person');
    const transcriptEntry = async (id: string) => {
      const { body } = await apiGet<{ messages: (TranscriptEntry & { agentReplies: { state: string; text: string }[] })[] }>(`/api/v1/conversations/${conversationId}/messages`);
      return body.messages.find((m) => m.id === id);
    };
    await until('the message is stored and left to the person', async () => ((await transcriptEntry(meanwhile))?.state === 'skipped' ? true : undefined));
    expect(readReceiptsTo(parties).at(-1)!.body).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: meanwhile });

    const key = { 'idempotency-key': `cloud-${randomUUID()}` };
    const accepted = await apiPost(`/api/v1/conversations/${conversationId}/replies`, { text: 'Hi, Grace here.' }, key);
    expect(await apiPost(`/api/v1/conversations/${conversationId}/replies`, { text: 'Hi, Grace here.' }, key)).toMatchObject({ status: 202, body: { id: accepted.body.id, created: false } });
    expect(accepted).toMatchObject({ status: 202, body: { created: true, state: 'queued' } });
    await until('the agent reply is sent', async () => ((await transcriptEntry(meanwhile))?.agentReplies[0]?.state === 'sent' ? true : undefined));
    expect(sendsTo(parties).map((send) => (send.body as { text: { body: string } }).text.body)).toEqual([expect.stringContaining('scripted model'), 'Hi, Grace here.']);

    expect(await apiPost(`/api/v1/conversations/${conversationId}/handoff`, { action: 'release' })).toMatchObject({ status: 200, body: { mode: 'bot' } });
    await writes('Thanks, bye');
    await until('the bot answers again', () => (sendsTo(parties).length === 3 ? true : undefined));
    const after = await until('the api counts the agent reply', async () => {
      const current = (await summary()) as Summary & { agentReplies: { sent: number } };
      return current.messagesIn >= before.messagesIn + 3 && current.agentReplies.sent >= before.agentReplies.sent + 1 ? current : undefined;
    });
    expect(after.messagesOut).toBe(before.messagesOut + 2);
    expect(sendsTo(parties)).toHaveLength(3);
  });

  it('calls a channel\'s tool once, signed, answers quoting it, and the api shows the call in the transcript and counts it', async () => {
    onTestFailed(printLogs);
    const parties = someParties();
    const conversationId = conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer);
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${role('api').baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${secrets.apiKey}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const tool = { name: 'order_status', description: 'An order', parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] }, url: `${tools.url}/order` };
    expect(await api('PUT', `/api/v1/channels/${parties.phoneNumberId}/settings`, { tools: [tool] })).toMatchObject({ status: 200 });
    const before = (await summary()) as Summary & { toolCalls: { total: number; ok: number } };

    const id = aWamid();
    expect((await postFromMeta(role('listener'), textNotification(parties, { id, body: 'Where is A17? [[tool:order_status {"order":"A17"}]]' }), aTraceparent().header)).status).toBe(200);
    const [send] = await until('the reply reaches the Graph double', () => (sendsTo(parties).length > 0 ? sendsTo(parties) : undefined));

    expect((send!.body as { text: { body: string } }).text.body).toContain('The tool order_status answered: {"tool":"order_status","echo":{"order":"A17"},"call":1}');
    expect(tools.requests.filter((request) => request.body.conversationId === conversationId)).toHaveLength(1);
    const entry = await until('the transcript shows the tool call', async () => {
      const { body } = await apiGet<{ messages: (TranscriptEntry & { toolCalls?: { role: string; tool: string; state: string }[] })[] }>(`/api/v1/conversations/${conversationId}/messages`);
      const message = body.messages.find((m) => m.id === id);
      return message?.state === 'sent' ? message : undefined;
    });
    expect(entry.toolCalls).toEqual([expect.objectContaining({ role: 'tool', tool: 'order_status', state: 'ok' })]);
    const after = await until('the api counts the tool call', async () => {
      const current = (await summary()) as Summary & { toolCalls: { total: number; ok: number } };
      return current.toolCalls.total >= before.toolCalls.total + 1 ? current : undefined;
    });
    expect(after.toolCalls.ok).toBe(before.toolCalls.ok + 1);
  });
});
