import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Child } from '../support/child-process.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { aFreePort } from '../support/ports.js';
import { aWebhookSecret, metaJson, metaSignature } from '../support/signing.js';
import { aWamid, someParties, textNotification } from '../support/whatsapp-notifications.js';

// The built artifact as production runs it (`node dist/main.js`): compiled once with the project's
// tsc into a directory inside the project (so Node resolves node_modules), then started as a child
// process on the pinned Node 24 (process.execPath) or, for the version guard, on the system Node.

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(projectRoot, '.tmp', `dist-test-${randomUUID()}`);
const mainJs = join(outDir, 'main.js');
const SYSTEM_NODE = '/usr/bin/node';

const children: Child[] = [];
const doubles: GraphApiDouble[] = [];

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: projectRoot,
  });
}, 60_000);

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.kill()));
  await Promise.all(doubles.splice(0).map((double) => double.stop()));
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function startMain(env: Record<string, string>, nodeBinary = process.execPath): Child {
  // Each process keeps its embedded PGlite in a directory of its own, never the project's .data.
  const dataDir = join(outDir, `data-${randomUUID()}`);
  const child = new Child(nodeBinary, [mainJs], { PATH: process.env.PATH ?? '/usr/bin:/bin', METADATA_SERVER_DETECTION: 'none', DATA_DIR: dataDir, ...env }, projectRoot);
  children.push(child);
  return child;
}

const isReadyLine = (line: string) => /"message":"VocoEng \w+ ready on /.test(line);

describe('main.js (the built process)', () => {
  it('serves health, answers WhatsApp through the Graph API and exits 0 on SIGTERM when started with ROLE=all', async () => {
    const graph = new GraphApiDouble();
    doubles.push(graph);
    await graph.start();
    const port = await aFreePort();
    const secrets = {
      WHATSAPP_APP_SECRET: randomBytes(16).toString('hex'),
      WHATSAPP_VERIFY_TOKEN: `verify-${randomUUID()}`,
      WHATSAPP_ACCESS_TOKEN: graph.accessToken,
      BOOTSTRAP_API_KEY: `vk_${randomBytes(24).toString('base64url')}`,
      API_WEBHOOK_SECRET: aWebhookSecret(),
      API_CALLBACK_SECRET: aWebhookSecret(),
    };
    const child = startMain({ ROLE: 'all', PORT: String(port), HOST: '127.0.0.1', WHATSAPP_API_BASE_URL: graph.baseUrl, ...secrets });

    const ready = JSON.parse(await child.waitForLine(isReadyLine, 15_000)) as Record<string, any>;
    expect(ready).toMatchObject({ severity: 'INFO', role: 'all', port, urls: { health: `http://127.0.0.1:${port}/healthz` } });
    // Durable by default (issue #18): the chat store and the bus live in the embedded PostgreSQL too.
    expect(ready.adapters).toMatchObject({
      messageBus: 'PostgresMessageBus',
      chatStore: 'PostgresChatStore',
      completionModel: 'ScriptedCompletionModel',
      analyticsStore: 'PostgresAnalyticsStore',
      deadLetters: 'PostgresDeadLetterStore',
      'replyChannel.whatsapp': 'WhatsAppGraphReplyChannel',
      'replyChannel.api': 'WebhookReplyChannel',
    });

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', role: 'all' });

    const parties = someParties();
    const inboundId = aWamid();
    const raw = metaJson(textNotification(parties, { id: inboundId, body: 'Is the process really answering?' }));
    const accepted = await fetch(`http://127.0.0.1:${port}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, secrets.WHATSAPP_APP_SECRET) },
      body: raw,
    });
    expect(accepted.status).toBe(200);
    const [send] = await graph.waitForSends(1, 10_000);
    expect(send!.body).toMatchObject({ to: parties.customer, text: { body: expect.stringContaining('Is the process really answering?') }, context: { message_id: inboundId } });
    expect(graph.sends).toHaveLength(1);
    expect(graph.readReceipts.map((r) => r.body)).toEqual([
      { messaging_product: 'whatsapp', status: 'read', message_id: inboundId, typing_indicator: { type: 'text' } },
    ]);

    // The interaction reaches the embedded PostgreSQL (PGlite under DATA_DIR) through the in-process bus.
    let summary: { messagesIn?: number; messagesOut?: number } = {};
    for (let attempt = 0; attempt < 50 && summary.messagesOut !== 1; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/analytics/summary`, { headers: { authorization: `Bearer ${secrets.BOOTSTRAP_API_KEY}` } });
      summary = (await res.json()) as typeof summary;
    }
    expect(summary).toMatchObject({ messagesIn: 1, messagesOut: 1 });

    const started = performance.now();
    child.process.kill('SIGTERM');
    const exit = await child.waitForExit(10_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(performance.now() - started).toBeLessThan(10_000);
    const messages = child.jsonLines.map((line) => line.message);
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('stopped');

    const output = child.stdout + child.stderr;
    for (const [name, value] of Object.entries(secrets)) expect(output, `${name} must not be logged`).not.toContain(value);
    expect(output).not.toContain(parties.customer);
  });

  it('exits non-zero with one readable message naming each malformed variable and no stack trace when values are malformed', async () => {
    const child = startMain({ ROLE: 'worker', PORT: 'abc', API_WEBHOOK_SECRET: 'nope' });

    const exit = await child.waitForExit(10_000);

    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    // Nothing on stdout but the same message as one error entry (for Cloud Logging / Error Reporting).
    expect(child.stdout.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { message: unknown }).message)).toEqual([child.stderr.trimEnd()]);
    expect(child.stderr).toMatch(/^Invalid configuration:\n/);
    for (const variable of ['PORT', 'API_WEBHOOK_SECRET']) {
      expect(child.stderr, `the message names ${variable}`).toMatch(new RegExp(`^  - ${variable}\\b.*$`, 'm'));
    }
    expect(child.stderr).not.toMatch(/^\s+at /m);
    expect(child.stderr).not.toContain('nope');
  });

  it('reports a bad configuration as one Error Reporting entry on stdout, under the Cloud Run service and revision', async () => {
    const child = startMain({ ROLE: 'worker', PORT: 'abc', K_SERVICE: 'vocoeng-worker', K_REVISION: 'vocoeng-worker-00007-abc' });

    const exit = await child.waitForExit(10_000);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(child.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        '@type': 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent',
        serviceContext: { service: 'vocoeng-worker', version: 'vocoeng-worker-00007-abc' },
        message: expect.stringMatching(/^Invalid configuration:\n {2}- PORT: /),
        context: { reportLocation: expect.objectContaining({ filePath: expect.stringMatching(/server\.js$/), lineNumber: expect.any(Number) }) },
      }),
    ]);
  });

  it('lists the missing settings of the role together with the malformed values when both are wrong', async () => {
    // CONTRACT.md: "a bad or missing value stops the process with one message listing every problem".
    const child = startMain({ ROLE: 'worker', PORT: 'abc', API_WEBHOOK_SECRET: 'nope' });

    const exit = await child.waitForExit(10_000);

    expect(exit.code).not.toBe(0);
    for (const variable of ['PORT', 'API_WEBHOOK_SECRET', 'PROJECT_ID', 'AI_PROVIDER']) {
      expect(child.stderr, `the message names ${variable}`).toMatch(new RegExp(`^  - ${variable}\\b.*$`, 'm'));
    }
  });

  it('lists PROJECT_ID, AI_PROVIDER and PUSH_AUTH when a (push) worker is started without them', async () => {
    const child = startMain({ ROLE: 'worker', PORT: String(await aFreePort()) });

    const exit = await child.waitForExit(10_000);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(child.stderr).toMatch(/^Invalid configuration:\n {2}- PROJECT_ID: .+\n {2}- AI_PROVIDER: .+\n {2}- PUSH_AUTH: .+\n$/);
  });

  // A ROLE=all start migrates embedded PGlite first: on a loaded machine that alone can take 20 s.
  it('starts a local ROLE=all that takes the API channel without API_CALLBACK_SECRET and warns that callbacks are signed with a generated key', { timeout: 60_000 }, async () => {
    const port = await aFreePort();
    const inbound = aWebhookSecret();
    const child = startMain({ ROLE: 'all', PORT: String(port), HOST: '127.0.0.1', API_WEBHOOK_SECRET: inbound });

    const ready = JSON.parse(await child.waitForLine(isReadyLine, 45_000)) as { adapters: Record<string, string> };
    // The start-up warnings follow the ready line.
    const warning = JSON.parse(await child.waitForLine((line) => line.includes('API_CALLBACK_SECRET is not set'), 5_000)) as Record<string, unknown>;

    expect(ready.adapters['replyChannel.api']).toBe('WebhookReplyChannel');
    expect(warning).toMatchObject({ severity: 'WARNING', message: expect.stringMatching(/^API_CALLBACK_SECRET is not set: callbacks are signed with a key generated for this run/) });
    expect(child.stdout + child.stderr).not.toContain(inbound.slice('whsec_'.length));
  });

  it('refuses a worker that takes the API channel without API_CALLBACK_SECRET, naming it', async () => {
    const child = startMain({ ROLE: 'worker', PORT: String(await aFreePort()), PROJECT_ID: 'demo-process', AI_PROVIDER: 'scripted', API_WEBHOOK_SECRET: aWebhookSecret() });

    const exit = await child.waitForExit(10_000);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(child.stderr).toMatch(/^Invalid configuration:\n {2}- API_CALLBACK_SECRET: required with API_WEBHOOK_SECRET for ROLE=worker/);
  });

  it('exits 1 naming DATABASE_URL, without its password, when the configured PostgreSQL is unreachable', async () => {
    const child = startMain({ ROLE: 'all', PORT: String(await aFreePort()), HOST: '127.0.0.1', DATABASE_URL: 'postgres://vocoeng:s3cret-pw@127.0.0.1:9/vocoeng' });

    const exit = await child.waitForExit(15_000);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(child.stderr).toMatch(/^Cannot start:\n {2}- DATABASE_URL: PostgreSQL at postgres:\/\/127\.0\.0\.1:9\/vocoeng is not reachable/);
    expect(child.stderr + child.stdout).not.toContain('s3cret-pw');
    expect(child.stderr).not.toMatch(/^\s+at /m);
    expect(child.jsonLines.filter((line) => isReadyLine(JSON.stringify(line)))).toEqual([]);
  });

  it('exits 1 with a message naming Node 24 when started on the system Node 20', async () => {
    expect(existsSync(SYSTEM_NODE), `${SYSTEM_NODE} exists on this machine and in CI`).toBe(true);
    const child = startMain({ ROLE: 'all', PORT: String(await aFreePort()), HOST: '127.0.0.1' }, SYSTEM_NODE);

    const exit = await child.waitForExit(10_000);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(child.stderr).toMatch(/needs Node 24 but this is Node 20\.\d+\.\d+/);
    expect(child.stderr).toContain('npm start');
    expect(child.stdout).toBe('');
  });
});
