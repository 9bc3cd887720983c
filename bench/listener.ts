// Listener throughput against a baseline in the same run: POST /webhooks/whatsapp (signature check
// over the raw bytes, parse, publish) versus GET /healthz (the HTTP stack alone), both on ROLE=all
// over loopback with wrk. Bounded: a few seconds per run. Usage: npm run bench
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHmac, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { PassThrough } from 'node:stream';
import { buildRole } from '../src/composition/role.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const appSecret = randomBytes(16).toString('hex');
const runtime = buildRole(loadConfig({ ROLE: 'all', WHATSAPP_APP_SECRET: appSecret, WHATSAPP_VERIFY_TOKEN: 'bench-verify-token' }), {
  logger: createLogger({ level: 'error', stream: new PassThrough() }),
});
runtime.readiness.ready = true;
const server = serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as { port: number };

// One realistic notification; repeats are duplicates the worker claims once and then skips.
const body = JSON.stringify({
  object: 'whatsapp_business_account',
  entry: [{ id: '1', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: 'Ada' }, wa_id: '491701234567' }],
    messages: [{ from: '491701234567', id: 'wamid.bench', timestamp: '1764072000', type: 'text', text: { body: 'Hallo! Habt ihr heute geöffnet? 🙂' } }],
  } }] }],
});
const signature = `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
const script = join(tmpdir(), `vocoeng-bench-${process.pid}.lua`);
writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["content-type"] = "application/json"\nwrk.headers["x-hub-signature-256"] = "${signature}"\n`);

// wrk runs as a separate process while this one serves (a synchronous spawn would block the server).
async function rps(path: string, extra: string[] = []): Promise<number> {
  const { stdout: out } = await promisify(execFile)('wrk', ['-t2', '-c20', `-d${SECONDS}s`, ...extra, `http://127.0.0.1:${port}${path}`], { encoding: 'utf8' });
  const match = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (!match) throw new Error(`wrk output not understood:\n${out}`);
  if (errors) throw new Error(`${errors[1]} non-2xx responses on ${path}`);
  return Number(match[1]);
}

const baseline = await rps('/healthz');
const webhook = await rps('/webhooks/whatsapp', ['-s', script]);
console.log(JSON.stringify({ seconds: SECONDS, healthzRps: Math.round(baseline), whatsappWebhookRps: Math.round(webhook), ratio: Number((webhook / baseline).toFixed(3)) }));
server.close();
await runtime.stop();
process.exit(0);
