import { randomBytes, randomUUID } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { aFreePort } from '../support/ports.js';
import { startApp, type RunningApp } from '../support/running-app.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { PassThrough } from 'node:stream';
import { MetricsStartError, startMetrics } from '../../src/observability/metrics.js';
import { aWebhookSecret, metaJson, metaSignature, standardWebhookHeaders } from '../support/signing.js';
import { aWamid, someParties, textNotification } from '../support/whatsapp-notifications.js';

// METRICS_EXPORTER=prometheus on the real ROLE=all application over HTTP: a WhatsApp message answered
// through the Graph API double, then the text Prometheus scrapes from METRICS_PORT.

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** The value of the one sample `name{labels}` in Prometheus text (labels in the exporter's order). */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

const portIsClosed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });

describe('Prometheus metrics (METRICS_EXPORTER=prometheus)', () => {
  it('counts webhooks, replies, reply and model latency and tokens on METRICS_PORT when a WhatsApp message is answered, and closes the port on stop', async () => {
    const graph = new GraphApiDouble();
    await graph.start();
    stops.push(() => graph.stop());
    const appSecret = randomBytes(16).toString('hex');
    const apiSecret = aWebhookSecret();
    const metricsPort = await aFreePort();
    const app: RunningApp = await startApp({
      ROLE: 'all',
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_VERIFY_TOKEN: `verify-${randomUUID()}`,
      WHATSAPP_ACCESS_TOKEN: graph.accessToken,
      WHATSAPP_API_BASE_URL: graph.baseUrl,
      API_WEBHOOK_SECRET: apiSecret,
      API_CALLBACK_SECRET: aWebhookSecret(),
      METRICS_EXPORTER: 'prometheus',
      METRICS_PORT: String(metricsPort),
    });
    let stopped = false;
    stops.push(async () => {
      if (!stopped) await app.stop();
    });
    const parties = someParties();
    const raw = metaJson(textNotification(parties, { id: aWamid(), body: 'Are you open today?' }));

    const accepted = await fetch(`${app.baseUrl}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, appSecret) }, body: raw });
    const forged = await fetch(`${app.baseUrl}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, 'not-the-secret') }, body: raw });
    const apiBody = '{"userId":"u-1"}';
    const invalid = await fetch(`${app.baseUrl}/webhooks/api`, { method: 'POST', headers: { 'content-type': 'application/json', ...standardWebhookHeaders(apiSecret, `msg_${randomUUID()}`, Math.floor(Date.now() / 1000), apiBody) }, body: apiBody });
    expect([accepted.status, forged.status, invalid.status]).toEqual([200, 401, 400]);
    await graph.waitForSends(1, 10_000);
    await app.bus.idle();

    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(sample(text, 'vocoeng_webhooks_total', 'channel="whatsapp",outcome="accepted"')).toBe(1);
    expect(sample(text, 'vocoeng_webhooks_total', 'channel="whatsapp",outcome="unauthorized"')).toBe(1);
    expect(sample(text, 'vocoeng_webhooks_total', 'channel="api",outcome="invalid"')).toBe(1);
    expect(sample(text, 'vocoeng_replies_total', 'channel="whatsapp",outcome="sent"')).toBe(1);
    expect(sample(text, 'vocoeng_reply_latency_count', 'channel="whatsapp"')).toBe(1);
    expect(sample(text, 'vocoeng_model_latency_count', 'outcome="ok"')).toBe(1);
    const [record] = await app.runtime.container.get(TOKENS.ChatStore).messages(conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer), { limit: 1 });
    const usage = record!.reply!.usage;
    expect(usage.prompt).toBeGreaterThan(0);
    expect(sample(text, 'vocoeng_model_tokens_total', 'kind="prompt"')).toBe(usage.prompt);
    expect(sample(text, 'vocoeng_model_tokens_total', 'kind="completion"')).toBe(usage.completion);
    expect(sample(text, 'vocoeng_reply_latency_sum', 'channel="whatsapp"')).toBe(record!.reply!.latencyMs);
    // Low cardinality: no message id, phone number or text ever becomes a label.
    for (const secret of [parties.customer, parties.phoneNumberId, 'Are you open today?', record!.message.id]) expect(text).not.toContain(secret);

    stopped = true;
    await app.stop();
    expect(await portIsClosed(metricsPort)).toBe(true);
  });

  it('refuses to start, naming METRICS_PORT, when the port is already taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as { port: number }).port;

    const started = startMetrics(loadConfig({ ROLE: 'all', METRICS_EXPORTER: 'prometheus', METRICS_PORT: String(port) }), createLogger({ level: 'error', stream: new PassThrough() }));

    await expect(started).rejects.toThrow(MetricsStartError);
    await expect(started).rejects.toThrow(new RegExp(`^METRICS_PORT: cannot serve Prometheus metrics on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  });
});
