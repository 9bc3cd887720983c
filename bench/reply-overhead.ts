// Reply overhead: from the listener's 200 to the Graph API send, minus the model's own latency,
// through the production topology on one machine: listener, worker (push) and api as three
// processes (`node --import tsx src/main.ts`, one ROLE each) on the Pub/Sub and Firestore
// emulators, an OpenAI-compatible double that holds every answer MODEL_MS, the Graph API double.
// Messages go one at a time (each waits until the previous turn's writes are done), so nothing
// queues: what is left after the model is our own path. The worker logs every Firestore RPC (bench/servers/firestore-rpc-log.ts);
// those inside a reply's window are the round trips on its critical path.
// Bounded: about a minute. Usage: npx tsx bench/reply-overhead.ts
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPubSub } from '../src/adapters/pubsub/pubsub-message-bus.js';
import { planFrom, provision } from '../src/adapters/pubsub/provision.js';
import { Child } from '../test/support/child-process.js';
import { startEmulator } from '../test/support/emulators.js';
import { GraphApiDouble } from '../test/support/graph-api-double.js';
import { OpenAiDouble } from '../test/support/openai-double.js';
import { aFreePort } from '../test/support/ports.js';
import { startPostgres } from '../test/support/postgres-server.js';
import { metaJson, metaSignature } from '../test/support/signing.js';
import { aWamid, someParties, textNotification } from '../test/support/whatsapp-notifications.js';
import { deployedNodeOptions, PROJECT_ROOT, writeResult } from './support.js';

const MODEL_MS = 100;
const WARM_UP = 3;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 40);
const CONVERSATIONS = 8;
const READY_MS = 60_000;
const REPLY_MS = 15_000;
const SETTLE_MS = 150;
const APP_SECRET = randomBytes(16).toString('hex');

interface Rpc {
  method: string;
  collections?: string[];
  start: number;
  end: number;
  refused?: boolean;
}

interface Turn {
  acked: number;
  ackMs: number;
  /** 200 → the model's request arrives (listener publish already done: push, worker reads, prompt). */
  toModelMs: number;
  /** The model's answer → the Graph send arrives (store the reply, the send itself). */
  afterModelMs: number;
  overheadMs: number;
  /** When the model's request arrived (it answers MODEL_MS later). */
  modelAt: number;
  rpcs: Rpc[];
  graphRequests: number;
}

process.env.METADATA_SERVER_DETECTION = 'none';
const project = `demo-bench-${randomUUID().slice(0, 8)}`;
const names = { PUBSUB_TOPIC: `bench-in-${project}`, PUBSUB_INTERACTIONS_TOPIC: `bench-ix-${project}`, PUBSUB_SUBSCRIPTION: `bench-in-${project}-worker` };
const scratch = await mkdtemp(join(tmpdir(), 'vocoeng-bench-overhead-'));
const rpcLog = join(scratch, 'worker-rpcs.jsonl');
const graph = new GraphApiDouble();
const model = new OpenAiDouble({ compose: (text) => `Ja, gern: ${text.length} Zeichen.` });
const children: Child[] = [];
const [pubsubEmulator, firestoreEmulator, postgres] = await Promise.all([startEmulator('pubsub', project), startEmulator('firestore', project), startPostgres()]);
const pubsub = createPubSub(project, { apiEndpoint: pubsubEmulator.host });

function spawnRole(port: number, env: Record<string, string>, imports: string[] = []): Child {
  const child = new Child(process.execPath, ['--import', 'tsx', ...imports.flatMap((m) => ['--import', m]), 'src/main.ts'], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    METADATA_SERVER_DETECTION: 'none',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    PUSH_AUTH: 'none',
    PROJECT_ID: project,
    PUBSUB_EMULATOR_HOST: pubsubEmulator.host,
    FIRESTORE_EMULATOR_HOST: firestoreEmulator.host,
    ...names,
    ...env,
  }, PROJECT_ROOT);
  children.push(child);
  return child;
}

try {
  await Promise.all([graph.start(), model.start()]);
  const [listenerPort, workerPort, apiPort] = await Promise.all([aFreePort(), aFreePort(), aFreePort()]);
  await provision(
    pubsub,
    planFrom({ ...names, WORKER_PUSH_ENDPOINT: `http://127.0.0.1:${workerPort}/pubsub/push`, API_PUSH_ENDPOINT: `http://127.0.0.1:${apiPort}/internal/pubsub/interactions` }),
    () => undefined,
  );
  const ready = (child: Child) => child.waitForLine((line) => /"message":"VocoEng \w+ ready on /.test(line), READY_MS);
  await Promise.all([
    // Each role with the NODE_OPTIONS its service is deployed with.
    ready(spawnRole(listenerPort, { ROLE: 'listener', WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: 'bench-verify', ...deployedNodeOptions('cloudbuild.webhook.yaml') })),
    ready(spawnRole(workerPort, {
      ROLE: 'worker',
      ...deployedNodeOptions('cloudbuild.worker.yaml'),
      WORKER_MODE: 'push',
      RATE_LIMIT_PER_MINUTE: '0',
      OPENAI_BASE_URL: model.baseUrl,
      OPENAI_API_KEY: 'sk-bench',
      WHATSAPP_ACCESS_TOKEN: graph.accessToken,
      WHATSAPP_API_BASE_URL: graph.baseUrl,
      VOCOENG_BENCH_RPC_LOG: rpcLog,
    }, ['./bench/servers/firestore-rpc-log.ts'])),
    ready(spawnRole(apiPort, { ROLE: 'api', DATABASE_URL: postgres.url, BOOTSTRAP_API_KEY: `vk_${randomBytes(24).toString('base64url')}`, ...deployedNodeOptions('cloudbuild.api.yaml') })),
  ]);

  const parties = Array.from({ length: CONVERSATIONS }, () => someParties());
  const turns: Turn[] = [];
  for (let i = 0; i < WARM_UP + MESSAGES; i += 1) {
    await settled();
    model.slowNext(1, MODEL_MS);
    const turn = await oneTurn(`http://127.0.0.1:${listenerPort}/webhooks/whatsapp`, parties[i % CONVERSATIONS]!, i);
    if (i >= WARM_UP) turns.push(turn);
  }
  const rpcs = await readRpcs();
  for (const turn of turns) turn.rpcs = rpcs.filter((rpc) => rpc.start >= turn.rpcs[0]!.start && rpc.start < turn.rpcs[0]!.end);

  const overhead = stats(turns.map((t) => t.overheadMs));
  // An RPC still running when the model's request went out, and done before it answered, was
  // waited for by neither the request nor what followed the answer.
  const besideModel = (turn: Turn, rpc: Rpc) => rpc.end > turn.modelAt && rpc.end <= turn.modelAt + MODEL_MS;
  const byMethod: Record<string, number> = {};
  let besideModelPerReply = 0;
  for (const turn of turns) for (const rpc of turn.rpcs) {
    if (besideModel(turn, rpc)) {
      besideModelPerReply += 1 / turns.length;
      continue;
    }
    const key = rpc.refused ? `refused ${rpc.method}` : rpc.method;
    byMethod[key] = (byMethod[key] ?? 0) + 1 / turns.length;
  }
  // RPCs that overlap in time ran side by side: the reply waited for them as one round trip.
  const inSequence = turns.map((t) => sequentialRoundTrips(t.rpcs.filter((rpc) => !besideModel(t, rpc))));
  const rpcMs = inSequence.map((trips) => trips.reduce((sum, trip) => sum + (trip.end - trip.start), 0));
  // The median turn, RPC by RPC (ms after the 200): where the time goes.
  const median = turns.toSorted((a, b) => a.overheadMs - b.overheadMs)[Math.floor(turns.length / 2)]!;
  const timeline = median.rpcs.map((rpc) => `${rpc.refused ? 'refused ' : ''}${rpc.method} ${(rpc.collections ?? []).join(',')} +${rpc.start - median.acked} (${rpc.end - rpc.start} ms)`);
  await writeResult('reply-overhead', 'npx tsx bench/reply-overhead.ts', {
    topology: 'listener, worker (push) and api: three processes on the Pub/Sub and Firestore emulators; OpenAI-compatible double; Graph API double',
    messages: turns.length,
    conversations: CONVERSATIONS,
    modelLatencyMs: MODEL_MS,
    overheadMs: overhead,
    ackMs: stats(turns.map((t) => t.ackMs)),
    toModelMs: stats(turns.map((t) => t.toModelMs)),
    afterModelMs: stats(turns.map((t) => t.afterModelMs)),
    criticalPath: {
      firestoreRpcsPerReply: Object.fromEntries(Object.entries(byMethod).map(([k, v]) => [k, Number(v.toFixed(2))])),
      firestoreRpcsBesideTheModelPerReply: Number(besideModelPerReply.toFixed(2)),
      firestoreRoundTripsInSequencePerReply: Number((inSequence.reduce((sum, trips) => sum + trips.length, 0) / turns.length).toFixed(2)),
      firestoreRpcMsPerReply: stats(rpcMs),
      graphRequestsPerReply: Number((turns.reduce((sum, t) => sum + t.graphRequests, 0) / turns.length).toFixed(2)),
      medianTurn: { overheadMs: median.overheadMs, modelCalledAt: `+${median.toModelMs}`, sentAt: `+${median.overheadMs + MODEL_MS}`, firestore: timeline },
    },
    goal: 'overhead p50 ≤ 100 ms',
  });
} finally {
  await Promise.allSettled(children.map((child) => child.kill()));
  await pubsub.close();
  await Promise.allSettled([graph.stop(), model.stop(), pubsubEmulator.stop(), firestoreEmulator.stop(), postgres.stop()]);
  await rm(scratch, { recursive: true, force: true });
}

/** Posts one signed text as Meta would and waits for its reply at the Graph double. */
async function oneTurn(url: string, to: ReturnType<typeof someParties>, i: number): Promise<Turn> {
  const sendsBefore = graph.sends.length;
  const requestsBefore = graph.requests.length;
  const modelCallsBefore = model.chatRequests.length;
  const raw = metaJson(textNotification(to, { id: aWamid(), body: `Frage ${i}: habt ihr am Sonntag geöffnet?` }));
  const posted = Date.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, APP_SECRET) }, body: raw });
  const acked = Date.now();
  if (response.status !== 200) throw new Error(`the listener answered ${response.status}: ${await response.text()}`);
  const modelCalled = model.waitForRequests(model.requests.length + 1, REPLY_MS).then(() => Date.now());
  await graph.waitForSends(sendsBefore + 1, REPLY_MS);
  const sent = Date.now();
  const calledAt = await modelCalled;
  if (model.chatRequests.length !== modelCallsBefore + 1) throw new Error(`expected one model call for message ${i}, got ${model.chatRequests.length - modelCallsBefore}`);
  return {
    acked,
    ackMs: acked - posted,
    toModelMs: calledAt - acked,
    afterModelMs: sent - (calledAt + MODEL_MS),
    overheadMs: sent - acked - MODEL_MS,
    modelAt: calledAt,
    // The window, resolved to the RPCs inside it once the log is read.
    rpcs: [{ method: 'window', start: acked, end: sent }],
    graphRequests: graph.requests.length - requestsBefore,
  };
}

/** Once the worker has made no Firestore RPC for SETTLE_MS (the previous turn's writes after its send are done), at most 3 s. */
async function settled(): Promise<void> {
  const size = async () => (await stat(rpcLog).catch(() => undefined))?.size ?? 0;
  const deadline = Date.now() + 3_000;
  let last = await size();
  let since = Date.now();
  while (Date.now() - since < SETTLE_MS && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = await size();
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

async function readRpcs(): Promise<Rpc[]> {
  const text = await readFile(rpcLog, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Rpc);
}

/** The RPCs of one window merged where they overlap: each merged span is one round trip waited for. */
function sequentialRoundTrips(rpcs: Rpc[]): { start: number; end: number }[] {
  const trips: { start: number; end: number }[] = [];
  for (const rpc of rpcs.toSorted((a, b) => a.start - b.start)) {
    const last = trips.at(-1);
    if (last && rpc.start < last.end) last.end = Math.max(last.end, rpc.end);
    else trips.push({ start: rpc.start, end: rpc.end });
  }
  return trips;
}

function stats(values: number[]): { p50: number; p95: number; max: number } {
  const sorted = values.toSorted((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
  return { p50: rank(50), p95: rank(95), max: sorted.at(-1)! };
}
