// Listener throughput against a baseline in the same run: signed ~1.5 KB WhatsApp notifications
// through the real listener (Hono, signature over the raw bytes, schema parse, publish to the
// in-process bus) versus a bare node:http server doing only the HMAC check and JSON.parse.
// Each server runs in its own process; wrk (one thread) loads it over loopback for BENCH_SECONDS.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedNotification } from './servers/notification.js';
import { ratio, startServer, wrk, writeResult, type LoadResult } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 20;
const { body, signature } = signedNotification();
const script = join(tmpdir(), `vocoeng-bench-${process.pid}.lua`);
writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["content-type"] = "application/json"\nwrk.headers["x-hub-signature-256"] = "${signature}"\n`);

async function measure(server: string, env: Record<string, string> = {}): Promise<LoadResult> {
  const running = await startServer(server, env);
  try {
    await wrk(`http://127.0.0.1:${running.port}/webhooks/whatsapp`, { seconds: 2, connections: CONNECTIONS, script }); // warm-up
    const result = await wrk(`http://127.0.0.1:${running.port}/webhooks/whatsapp`, { seconds: SECONDS, connections: CONNECTIONS, script });
    if (result.errors > 0) throw new Error(`${server}: ${result.errors} errors`);
    return result;
  } finally {
    await running.stop();
  }
}

export async function benchListener(): Promise<Record<string, unknown>> {
  const bare = await measure('bench/servers/bare-webhook.ts');
  // As production logs: LOG_LEVEL=info, one access line per request. At warn, for what logging costs.
  const listener = await measure('bench/servers/listener-app.ts', { BENCH_LOG_LEVEL: 'info' });
  const quiet = await measure('bench/servers/listener-app.ts', { BENCH_LOG_LEVEL: 'warn' });
  const result = {
    bodyBytes: Buffer.byteLength(body),
    seconds: SECONDS,
    connections: CONNECTIONS,
    baseline: { name: 'node:http + HMAC + JSON.parse', ...bare },
    listener: { name: 'listener: Hono + verify + parse + publish (in-process bus), LOG_LEVEL=info', ...listener },
    listenerAtWarn: { name: 'the same at LOG_LEVEL=warn (no access lines)', ...quiet },
    rpsRatio: ratio(listener.rps, bare.rps),
    p99Ratio: ratio(bare.p99Ms, listener.p99Ms),
    atWarnRpsRatio: ratio(quiet.rps, bare.rps),
    goal: 'rpsRatio >= 0.90',
  };
  await writeResult('listener', 'npm run bench (bench/listener.ts)', result);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchListener();
