import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPubSub } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { apiSubscriptionOf, planFrom, provision, type ProvisionEnv, type ProvisionPlan } from '../../src/adapters/pubsub/provision.js';

const project = inject('emulatorProject');
const pubsub = createPubSub(project, { apiEndpoint: inject('pubsubEmulatorHost') });
afterAll(() => pubsub.close());

type Names = { inbound: string; interactions: string; worker: string; api: string };

function isolatedNames(): Names {
  const id = randomUUID().slice(0, 8);
  return { inbound: `prov-${id}-in`, interactions: `prov-${id}-ix`, worker: `prov-${id}-worker`, api: `prov-${id}-api` };
}

/** The plan for `env` under this test's names. */
function planFor(names: Names, env: ProvisionEnv = {}): ProvisionPlan {
  const plan = planFrom({ PUBSUB_TOPIC: names.inbound, PUBSUB_INTERACTIONS_TOPIC: names.interactions, PUBSUB_SUBSCRIPTION: names.worker, ...env });
  return { ...plan, subscriptions: plan.subscriptions.map((s) => (s.name === apiSubscriptionOf(s.topic) ? { ...s, name: names.api } : s)) };
}

async function run(plan: ProvisionPlan): Promise<string[]> {
  const lines: string[] = [];
  await provision(pubsub, plan, (line) => lines.push(line));
  return lines;
}

const metadataOf = async (subscription: string) => (await pubsub.subscription(subscription).getMetadata())[0];

describe('provision', () => {
  it('plans the documented names, pull delivery and dead-letter topics when the environment sets nothing', () => {
    const plan = planFrom({});

    expect(plan.topics).toEqual(['vocoeng-inbound', 'vocoeng-interactions', 'vocoeng-inbound-dead-letter', 'vocoeng-interactions-dead-letter']);
    expect(plan.subscriptions.map((s) => [s.name, s.topic, s.delivery.mode])).toEqual([
      ['vocoeng-inbound-dead-letter-sub', 'vocoeng-inbound-dead-letter', 'pull'],
      ['vocoeng-interactions-dead-letter-sub', 'vocoeng-interactions-dead-letter', 'pull'],
      ['vocoeng-inbound-worker', 'vocoeng-inbound', 'pull'],
      ['vocoeng-interactions-api', 'vocoeng-interactions', 'pull'],
    ]);
  });

  it('plans a push subscription to the api on each dead-letter topic, beside the pull one, when API_PUSH_ENDPOINT is set', () => {
    const plan = planFrom({
      API_PUSH_ENDPOINT: 'https://api.example.run.app/internal/pubsub/interactions',
      PUSH_SERVICE_ACCOUNT: 'pubsub-push@demo.iam.gserviceaccount.com',
      API_PUSH_AUDIENCE: 'https://api.example.run.app',
    });

    const onDeadLetterTopics = plan.subscriptions.filter((s) => s.topic.endsWith('-dead-letter'));
    expect(onDeadLetterTopics.map((s) => [s.name, s.topic, s.delivery.mode])).toEqual([
      ['vocoeng-inbound-dead-letter-sub', 'vocoeng-inbound-dead-letter', 'pull'],
      ['vocoeng-interactions-dead-letter-sub', 'vocoeng-interactions-dead-letter', 'pull'],
      ['vocoeng-inbound-dead-letter-push', 'vocoeng-inbound-dead-letter', 'push'],
      ['vocoeng-interactions-dead-letter-push', 'vocoeng-interactions-dead-letter', 'push'],
    ]);
    for (const push of onDeadLetterTopics.filter((s) => s.delivery.mode === 'push')) {
      expect(push).toMatchObject({
        delivery: {
          endpoint: 'https://api.example.run.app/internal/pubsub/dead-letters',
          serviceAccountEmail: 'pubsub-push@demo.iam.gserviceaccount.com',
          audience: 'https://api.example.run.app',
        },
        ordering: false,
        retry: { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 },
      });
      expect(push.deadLetter).toBeUndefined();
    }
  });

  it('creates the dead-letter push subscriptions to the api and keeps the pull ones', async () => {
    const names = isolatedNames();

    const lines = await run(planFor(names, { API_PUSH_ENDPOINT: 'http://127.0.0.1:9/internal/pubsub/interactions' }));

    expect(lines).toContain(`subscription ${names.inbound}-dead-letter-push: created (push to http://127.0.0.1:9/internal/pubsub/dead-letters)`);
    for (const topic of [names.inbound, names.interactions]) {
      const [subscriptions] = await pubsub.topic(`${topic}-dead-letter`).getSubscriptions();
      expect(subscriptions.map((s) => s.name).sort()).toEqual([`projects/${project}/subscriptions/${topic}-dead-letter-push`, `projects/${project}/subscriptions/${topic}-dead-letter-sub`]);
      expect((await metadataOf(`${topic}-dead-letter-push`)).pushConfig?.pushEndpoint).toBe('http://127.0.0.1:9/internal/pubsub/dead-letters');
      expect((await metadataOf(`${topic}-dead-letter-sub`)).pushConfig?.pushEndpoint ?? '').toBe('');
    }
  });

  it('creates every topic and subscription on the first run and reports each one as existing on the second', async () => {
    const names = isolatedNames();
    const plan = planFor(names);

    const first = await run(plan);
    const second = await run(plan);

    expect(first).toHaveLength(8);
    expect(first.every((line) => /: created \(|: created$/.test(line))).toBe(true);
    expect(first).toContain(`subscription ${names.worker}: created (pull)`);
    expect(second).toHaveLength(8);
    expect(second.every((line) => /: exists( \(|$)/.test(line))).toBe(true);
    expect(second).toContain(`topic ${names.inbound}-dead-letter: exists`);
  });

  it('refuses, naming both topics, when a subscription of the plan already exists on another topic', async () => {
    const names = isolatedNames();
    await run(planFor(names));
    const other = isolatedNames();
    const clash = planFor({ ...other, worker: names.worker });

    await expect(run(clash)).rejects.toThrow(new RegExp(`subscription ${names.worker} exists on .*/topics/${names.inbound}, not on topic ${other.inbound}`));
  });

  it('gives the worker subscription ordering, a dead-letter policy with a read dead-letter topic, and the retry policy', async () => {
    const names = isolatedNames();
    const plan = planFor(names);

    await run(plan);

    const worker = await metadataOf(names.worker);
    expect(worker).toMatchObject({
      topic: `projects/${project}/topics/${names.inbound}`,
      enableMessageOrdering: true,
      ackDeadlineSeconds: 60,
      deadLetterPolicy: { deadLetterTopic: `projects/${project}/topics/${names.inbound}-dead-letter`, maxDeliveryAttempts: 5 },
      retryPolicy: { minimumBackoff: { seconds: '10' }, maximumBackoff: { seconds: '600' } },
    });
    expect(worker.pushConfig?.pushEndpoint ?? '').toBe('');
    const api = await metadataOf(names.api);
    expect(api.deadLetterPolicy).toMatchObject({ deadLetterTopic: `projects/${project}/topics/${names.interactions}-dead-letter`, maxDeliveryAttempts: 5 });
    for (const topic of [names.inbound, names.interactions]) {
      const [subscriptions] = await pubsub.topic(`${topic}-dead-letter`).getSubscriptions();
      expect(subscriptions.map((s) => s.name)).toEqual([`projects/${project}/subscriptions/${topic}-dead-letter-sub`]);
    }
  });

  it('gives the worker subscription no Pub/Sub ordering when the worker folds bursts (COALESCE_WINDOW_MS), so a burst reaches it at once', async () => {
    const names = isolatedNames();

    await run(planFor(names, { COALESCE_WINDOW_MS: '3000' }));

    expect(await metadataOf(names.worker)).toMatchObject({ enableMessageOrdering: false, deadLetterPolicy: { maxDeliveryAttempts: 5 } });
    expect(planFrom({ COALESCE_WINDOW_MS: '0' }).subscriptions.find((s) => s.name === 'vocoeng-inbound-worker')?.ordering).toBe(true);
  });

  it('says that an ordered worker subscription must be re-created for a coalescing worker, since ordering cannot change in place', async () => {
    const names = isolatedNames();
    await run(planFor(names));

    const lines = await run(planFor(names, { COALESCE_WINDOW_MS: '3000' }));

    expect(lines.filter((line) => line.startsWith(`subscription ${names.worker}:`))).toEqual([
      `subscription ${names.worker}: exists (pull, message ordering is on, planned off: it cannot change in place, delete the subscription and provision again)`,
    ]);
    expect((await metadataOf(names.worker)).enableMessageOrdering).toBe(true);
  });

  it('switches the subscription and reports "updated" when its push endpoint changes, and back to pull when the endpoint is removed', async () => {
    const push = { PUSH_SERVICE_ACCOUNT: 'pubsub-push@demo.iam.gserviceaccount.com', WORKER_PUSH_AUDIENCE: 'https://worker.example/pubsub/push' };
    const names = isolatedNames();
    await run(planFor(names, { WORKER_PUSH_ENDPOINT: 'http://127.0.0.1:9/pubsub/push', ...push }));

    const lines = await run(planFor(names, { WORKER_PUSH_ENDPOINT: 'http://127.0.0.1:9/v2/pubsub/push', ...push }));

    expect(lines.filter((line) => line.includes(': updated'))).toEqual([
      `subscription ${names.worker}: updated (push to http://127.0.0.1:9/v2/pubsub/push, audience ${push.WORKER_PUSH_AUDIENCE}, as ${push.PUSH_SERVICE_ACCOUNT}, was push to http://127.0.0.1:9/pubsub/push)`,
    ]);
    expect((await metadataOf(names.worker)).pushConfig).toMatchObject({
      pushEndpoint: 'http://127.0.0.1:9/v2/pubsub/push',
      oidcToken: { serviceAccountEmail: push.PUSH_SERVICE_ACCOUNT, audience: push.WORKER_PUSH_AUDIENCE },
    });
    expect((await metadataOf(names.worker)).ackDeadlineSeconds).toBe(300);

    expect(await run(planFor(names))).toContain(`subscription ${names.worker}: updated (pull, was push to http://127.0.0.1:9/v2/pubsub/push, ack deadline 300 s -> 60 s)`);
    expect((await metadataOf(names.worker)).pushConfig?.pushEndpoint ?? '').toBe('');
  });

  describe('push audiences', () => {
    const pushSa = 'vocoeng-pubsub-push@demo.iam.gserviceaccount.com';
    const endpoints = { WORKER_PUSH_ENDPOINT: 'http://127.0.0.1:9/pubsub/push', API_PUSH_ENDPOINT: 'http://127.0.0.1:9/internal/pubsub/interactions' };

    it("gives each push subscription the audience of the service it pushes to: the worker's to the worker, the api's to the interactions and dead-letter pushes", async () => {
      const names = isolatedNames();

      const lines = await run(planFor(names, { ...endpoints, PUSH_SERVICE_ACCOUNT: pushSa, WORKER_PUSH_AUDIENCE: 'worker-aud', API_PUSH_AUDIENCE: 'api-aud' }));

      const oidcOf = async (name: string) => (await metadataOf(name)).pushConfig?.oidcToken;
      expect(await oidcOf(names.worker)).toMatchObject({ serviceAccountEmail: pushSa, audience: 'worker-aud' });
      for (const api of [names.api, `${names.inbound}-dead-letter-push`, `${names.interactions}-dead-letter-push`]) {
        expect(await oidcOf(api)).toMatchObject({ serviceAccountEmail: pushSa, audience: 'api-aud' });
      }
      expect(lines).toContain(`subscription ${names.worker}: created (push to http://127.0.0.1:9/pubsub/push, audience worker-aud, as ${pushSa})`);
      expect(lines).toContain(`subscription ${names.api}: created (push to http://127.0.0.1:9/internal/pubsub/interactions, audience api-aud, as ${pushSa})`);
      expect(lines).toContain(`subscription ${names.inbound}-dead-letter-push: created (push to http://127.0.0.1:9/internal/pubsub/dead-letters, audience api-aud, as ${pushSa})`);
    });

    it('uses the documented per-service audiences (the ones the Cloud Build files declare) when only the push service account is given', async () => {
      const names = isolatedNames();

      await run(planFor(names, { ...endpoints, PUSH_SERVICE_ACCOUNT: pushSa }));

      expect((await metadataOf(names.worker)).pushConfig?.oidcToken?.audience).toBe('vocoeng-worker-push');
      expect((await metadataOf(names.api)).pushConfig?.oidcToken?.audience).toBe('vocoeng-api-push');
      expect((await metadataOf(`${names.interactions}-dead-letter-push`)).pushConfig?.oidcToken?.audience).toBe('vocoeng-api-push');
    });

    it('moves an existing subscription to its own audience and says so when provisioned again', async () => {
      const names = isolatedNames();
      await run(planFor(names, { ...endpoints, PUSH_SERVICE_ACCOUNT: pushSa, WORKER_PUSH_AUDIENCE: 'shared', API_PUSH_AUDIENCE: 'shared' }));

      const lines = await run(planFor(names, { ...endpoints, PUSH_SERVICE_ACCOUNT: pushSa }));

      expect(lines).toContain(`subscription ${names.worker}: updated (push to http://127.0.0.1:9/pubsub/push, audience vocoeng-worker-push, as ${pushSa}, was push to http://127.0.0.1:9/pubsub/push)`);
      expect((await metadataOf(names.worker)).pushConfig?.oidcToken?.audience).toBe('vocoeng-worker-push');
    });

    it('refuses a single PUSH_AUDIENCE for every subscription, naming the per-service settings', () => {
      expect(() => planFrom({ ...endpoints, PUSH_SERVICE_ACCOUNT: pushSa, PUSH_AUDIENCE: 'vocoeng-api-interactions' })).toThrow(/WORKER_PUSH_AUDIENCE.*API_PUSH_AUDIENCE/);
    });
  });
});
