// Listener throughput against a baseline in the same run: signed ~1.5 KB WhatsApp notifications
// through the listener as production serves it (the node:http webhook ingress: signature over the
// raw bytes, schema parse, publish, access line) versus a bare node:http server doing only the
// HMAC check and JSON.parse; then both publishing to the Pub/Sub emulator, the 200 waiting for the
// durable publish. Each server runs in its own process; wrk (one thread) loads it over loopback.
// This machine's speed drifts by up to 2× within a minute, so the servers take turns: rounds of
// a few seconds each, and each ratio is the median of the rounds' ratios.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPubSub } from '../src/adapters/pubsub/pubsub-message-bus.js';
import { startEmulator } from '../test/support/emulators.js';
import { LISTENER_STEPS } from './servers/listener-steps.js';
import { signedNotification } from './servers/notification.js';
import { deployedNodeOptions, ratio, startServer, wrk, writeResult, type LoadResult } from './support.js';

const ROUND_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = 4;
const { body, signature } = signedNotification();
const script = join(tmpdir(), `vocoeng-bench-${process.pid}.lua`);
writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["content-type"] = "application/json"\nwrk.headers["x-hub-signature-256"] = "${signature}"\n`);

interface Contender {
  name: string;
  server: string;
  env?: Record<string, string>;
}

interface Measured extends LoadResult {
  name: string;
  /** req/s of each round. */
  rounds: number[];
}

// The listener runs with the NODE_OPTIONS its Cloud Run service is deployed with; the bare baselines with Node's defaults.
const AS_DEPLOYED = deployedNodeOptions('cloudbuild.webhook.yaml');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Every contender started at once, warmed up, then loaded in turn for ROUNDS rounds. */
async function inTurns(contenders: Contender[], connections: number): Promise<Measured[]> {
  const running = await Promise.all(contenders.map((c) => startServer(c.server, c.env ?? {})));
  try {
    const url = (i: number) => `http://127.0.0.1:${running[i]!.port}/webhooks/whatsapp`;
    for (const i of running.keys()) await wrk(url(i), { seconds: 2, connections, script });
    const results: LoadResult[][] = contenders.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, contender] of contenders.entries()) {
        const result = await wrk(url(i), { seconds: ROUND_SECONDS, connections, script });
        if (result.errors > 0) throw new Error(`${contender.name}: ${result.errors} errors`);
        results[i]!.push(result);
      }
    }
    return contenders.map((contender, i) => {
      const runs = results[i]!;
      return { name: contender.name, rps: median(runs.map((r) => r.rps)), p50Ms: median(runs.map((r) => r.p50Ms)), p99Ms: median(runs.map((r) => r.p99Ms)), errors: 0, rounds: runs.map((r) => Math.round(r.rps)) };
    });
  } finally {
    await Promise.all(running.map((r) => r.stop()));
  }
}

/** The median over rounds of `of` against `baseline` in the same round. */
const roundRatio = (of: Measured, baseline: Measured) => ratio(median(of.rounds.map((rps, i) => rps / baseline.rounds[i]!)), 1);

async function inProcess() {
  const [bare, listener, quiet, ...steps] = await inTurns(
    [
      { name: 'node:http + HMAC + JSON.parse', server: 'bench/servers/bare-webhook.ts' },
      // As production logs: LOG_LEVEL=info, one access line per request. At warn, for what logging costs.
      { name: 'listener: verify + parse + publish (in-process bus), LOG_LEVEL=info', server: 'bench/servers/listener-app.ts', env: { BENCH_LOG_LEVEL: 'info', ...AS_DEPLOYED } },
      { name: 'the same at LOG_LEVEL=warn (no access lines)', server: 'bench/servers/listener-app.ts', env: { BENCH_LOG_LEVEL: 'warn', ...AS_DEPLOYED } },
      // Where the time goes: the listener's own steps, each adding to the one before.
      ...LISTENER_STEPS.map((step) => ({ name: `steps up to ${step}`, server: 'bench/servers/listener-steps.ts', env: { LISTENER_STEP: step, ...AS_DEPLOYED } })),
    ],
    20,
  );
  return {
    connections: 20,
    baseline: bare!,
    listener: listener!,
    listenerAtWarn: quiet!,
    rpsRatio: roundRatio(listener!, bare!),
    p99Ratio: ratio(bare!.p99Ms, listener!.p99Ms),
    atWarnRpsRatio: roundRatio(quiet!, bare!),
    steps: stepCosts(bare!, [...steps, quiet!, listener!], [...LISTENER_STEPS, 'ingress', 'access line']),
  };
}

/**
 * Each step's ratio to the baseline (median of the rounds) and what it adds, in µs per request
 * (1 / req/s), to the step before it: the median over the rounds of the difference within a round.
 */
function stepCosts(baseline: Measured, measured: Measured[], names: string[]) {
  return measured.map((m, i) => {
    const before = i === 0 ? baseline : measured[i - 1]!;
    return {
      step: names[i]!,
      rps: Math.round(m.rps),
      ratio: roundRatio(m, baseline),
      addsMicros: Number(median(m.rounds.map((rps, round) => 1e6 / rps - 1e6 / before.rounds[round]!)).toFixed(1)),
    };
  });
}

/** Both servers publish to the Pub/Sub emulator and answer once the publish is durable. */
async function throughPubSub() {
  const project = `demo-bench-${randomUUID().slice(0, 8)}`;
  const emulator = await startEmulator('pubsub', project);
  try {
    const topic = `bench-listener-${project}`;
    const env = { PUBSUB_EMULATOR_HOST: emulator.host, BENCH_PROJECT: project, BENCH_TOPIC: topic };
    const pubsub = createPubSub(project, { apiEndpoint: emulator.host });
    await pubsub.createTopic(topic);
    await pubsub.close();
    const [bare, listener] = await inTurns(
      [
        { name: 'node:http + HMAC + JSON.parse + awaited publish', server: 'bench/servers/bare-publish.ts', env },
        { name: 'listener on Pub/Sub, LOG_LEVEL=info', server: 'bench/servers/listener-app.ts', env: { ...env, BENCH_LOG_LEVEL: 'info', BENCH_BUS: 'pubsub', ...AS_DEPLOYED } },
      ],
      50,
    );
    return { connections: 50, baseline: bare!, listener: listener!, rpsRatio: roundRatio(listener!, bare!), goal: 'rpsRatio >= 0.95, listener p99 <= 50 ms' };
  } finally {
    await emulator.stop();
  }
}

export async function benchListener(): Promise<Record<string, unknown>> {
  const result = {
    bodyBytes: Buffer.byteLength(body),
    nodeOptions: AS_DEPLOYED.NODE_OPTIONS ?? null,
    seconds: ROUND_SECONDS,
    rounds: ROUNDS,
    ...(await inProcess()),
    goal: 'rpsRatio >= 0.90',
    pubsub: await throughPubSub(),
  };
  await writeResult('listener', 'npm run bench (bench/listener.ts)', result);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchListener();
