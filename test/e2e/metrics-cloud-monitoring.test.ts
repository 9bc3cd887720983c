import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPubSub, PubSubMessageBus } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { aMessage } from '../support/builders.js';
import { CloudMonitoringDouble } from '../support/cloud-monitoring-double.js';
import { startRoleProcess, type RoleProcess } from '../support/role-process.js';
import { metaJson, metaSignature } from '../support/signing.js';
import { aWamid, someParties, textNotification } from '../support/whatsapp-notifications.js';

// METRICS_EXPORTER=gcp in a listener process as Cloud Run starts it: credentials from the metadata
// server (a local double, as the service's own account on Cloud Run), Google's exporter writing to a
// local Cloud Monitoring API double. The role's SIGTERM exports what it counted before it exits.

const READY_MS = 60_000;
/** A role process start (tsx compiling on a shared machine) plus its drain. */
const TEST_MS = 120_000;
const double = new CloudMonitoringDouble();
const project = `demo-metrics-${randomUUID().slice(0, 8)}`;
const run = randomUUID().slice(0, 8);
const topic = `metrics-${run}-in`;
const names = { inbound: `metrics-${run}-worker-in`, interactions: `metrics-${run}-ix`, subscription: `metrics-${run}-pull` };
const pubsub = createPubSub(project, { apiEndpoint: inject('pubsubEmulatorHost') });
const appSecret = randomBytes(16).toString('hex');
const running: RoleProcess[] = [];

beforeAll(async () => {
  await double.start();
  await pubsub.createTopic(topic);
  await Promise.all([pubsub.createTopic(names.inbound), pubsub.createTopic(names.interactions)]);
  await pubsub.topic(names.inbound).createSubscription(names.subscription, { enableMessageOrdering: true });
});
afterEach(async () => {
  for (const role of running.splice(0)) await role.child.kill();
  double.denyWrites = false;
  double.requests.length = 0;
});
afterAll(async () => {
  await double.stop();
  await pubsub.close();
});

const LISTENER_ENV = { ROLE: 'listener', PUBSUB_TOPIC: topic, WHATSAPP_APP_SECRET: appSecret, WHATSAPP_VERIFY_TOKEN: `verify-${randomUUID()}` };

async function aRole(env: Record<string, string> = LISTENER_ENV): Promise<RoleProcess> {
  const role = await startRoleProcess(
    {
      ...env,
      PROJECT_ID: project,
      METRICS_EXPORTER: 'gcp',
      CLOUD_MONITORING_ENDPOINT: double.endpoint,
      K_SERVICE: env.ROLE === 'worker' ? 'vocoeng-worker' : 'vocoeng-webhook-listener',
      // Application Default Credentials as on Cloud Run: the metadata server, here the double.
      METADATA_SERVER_DETECTION: 'assume-present',
      GCE_METADATA_HOST: double.metadataHost,
      NODE_EXTRA_CA_CERTS: double.certificateFile,
    },
    READY_MS,
  );
  running.push(role);
  return role;
}

async function postSigned(role: RoleProcess, times: number): Promise<void> {
  const raw = metaJson(textNotification(someParties(), { id: aWamid(), body: 'Hello' }));
  for (let i = 0; i < times; i++) {
    const response = await fetch(`${role.baseUrl}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, appSecret) }, body: raw });
    expect(response.status).toBe(200);
  }
}

async function stop(role: RoleProcess): Promise<void> {
  role.child.process.kill('SIGTERM');
  expect(await role.child.waitForExit(15_000)).toEqual({ code: 0, signal: null });
}

describe('Cloud Monitoring metrics (METRICS_EXPORTER=gcp)', () => {
  it('writes the webhook count as a workload.googleapis.com time series with the metadata server token when the listener stops', async () => {
    const role = await aRole();
    await postSigned(role, 2);
    const forged = await fetch(`${role.baseUrl}/webhooks/whatsapp`, { method: 'POST', headers: { 'x-hub-signature-256': 'sha256=00' }, body: '{}' });
    expect(forged.status).toBe(401);
    // The export interval is a minute: what Cloud Monitoring gets here is the export at shutdown.
    expect(double.timeSeries).toEqual([]);
    await stop(role);

    expect(double.tokenRequests.length).toBeGreaterThan(0);
    expect(double.requests.every((r) => r.authorization === `Bearer ${double.accessToken}`)).toBe(true);
    const descriptors = double.requests.filter((r) => r.method === 'POST' && r.path === `/v3/projects/${project}/metricDescriptors`).map((r) => r.body);
    expect(descriptors).toContainEqual(expect.objectContaining({ type: 'workload.googleapis.com/vocoeng.webhooks', metricKind: 'CUMULATIVE', valueType: 'INT64' }));
    const webhooks = double.timeSeries.filter((series) => series.metric.type === 'workload.googleapis.com/vocoeng.webhooks');
    const byOutcome = Object.fromEntries(webhooks.map((series) => [series.metric.labels.outcome, { channel: series.metric.labels.channel, value: Number(series.points[0].value.int64Value) }]));
    expect(byOutcome).toEqual({ accepted: { channel: 'whatsapp', value: 2 }, unauthorized: { channel: 'whatsapp', value: 1 } });
    // Each instance writes series of its own: a generic_task of the service, keyed by a per-process id.
    expect(webhooks[0].resource).toMatchObject({ type: 'generic_task', labels: { job: 'vocoeng-webhook-listener', namespace: 'vocoeng', task_id: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
  }, TEST_MS);

  it('logs a warning naming the refusal when Cloud Monitoring denies the writes, and still stops cleanly', async () => {
    double.denyWrites = true;
    const role = await aRole();
    await postSigned(role, 1);
    await stop(role);

    expect(double.requests.some((r) => r.path.endsWith('/timeSeries'))).toBe(true);
    const warnings = role.child.jsonLines.filter((line) => line.severity === 'WARNING' && line.message === 'metrics export problem');
    expect(warnings.length).toBeGreaterThan(0);
    expect(String(warnings[0]!.detail)).toMatch(/monitoring\.timeSeries\.create denied/);
  }, TEST_MS);

  it('writes the reply count, the reply and model latency distributions and the tokens by kind when a worker answers a message', async () => {
    const worker = await aRole({
      ROLE: 'worker',
      WORKER_MODE: 'pull',
      PUBSUB_TOPIC: names.inbound,
      PUBSUB_INTERACTIONS_TOPIC: names.interactions,
      PUBSUB_SUBSCRIPTION: names.subscription,
      AI_PROVIDER: 'scripted',
    });
    const message = aMessage({ text: 'When do you open?' });
    const bus = new PubSubMessageBus(pubsub, { inbound: names.inbound, interactions: names.interactions });
    await bus.publish('inbound', [{ event: { kind: 'message', message }, orderingKey: message.conversationId }]);
    // No WhatsApp token is configured: the reply is generated, then recorded as unsent.
    await worker.child.waitForLine((line) => line.includes('"message":"reply unsent"'), 60_000);
    await stop(worker);

    const series = (type: string) => double.timeSeries.filter((s) => s.metric.type === `workload.googleapis.com/${type}`);
    expect(series('vocoeng.replies').map((s) => ({ labels: s.metric.labels, value: s.points[0].value.int64Value }))).toEqual([
      { labels: { channel: 'whatsapp', outcome: 'unsent' }, value: '1' },
    ]);
    const [latency] = series('vocoeng.reply.latency');
    expect(latency).toMatchObject({ metricKind: 'CUMULATIVE', valueType: 'DISTRIBUTION', metric: { labels: { channel: 'whatsapp' } } });
    expect(Number(latency.points[0].value.distributionValue.count)).toBe(1);
    const [model] = series('vocoeng.model.latency');
    expect(model.metric.labels).toEqual({ outcome: 'ok' });
    expect(Number(model.points[0].value.distributionValue.count)).toBe(1);
    const tokens = Object.fromEntries(series('vocoeng.model.tokens').map((s) => [s.metric.labels.kind, Number(s.points[0].value.int64Value)]));
    expect(Object.keys(tokens).sort()).toEqual(['completion', 'prompt']);
    expect(tokens.prompt).toBeGreaterThan(0);
    expect(tokens.completion).toBeGreaterThan(0);
    expect(latency.resource.labels.job).toBe('vocoeng-worker');
    // Nothing but the JSON log lines: no stray stderr text (the exporter's deprecation notice) on Cloud Run.
    expect(worker.child.stderr).toBe('');
  }, TEST_MS);
});
