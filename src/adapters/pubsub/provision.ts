import type { PubSub, Subscription } from '@google-cloud/pubsub';

/** How a subscription receives: pull, or push to an endpoint with an optional OIDC token. */
export type SubscriptionDelivery = { mode: 'pull' } | { mode: 'push'; endpoint: string; serviceAccountEmail?: string; audience?: string };

export interface SubscriptionPlan {
  name: string;
  topic: string;
  delivery: SubscriptionDelivery;
  ackDeadlineSeconds: number;
  ordering: boolean;
  /** Undeliverable messages go there after `maxDeliveryAttempts`; absent on dead-letter subscriptions. */
  deadLetter?: { topic: string; maxDeliveryAttempts: number };
  retry?: { minimumBackoffSeconds: number; maximumBackoffSeconds: number };
}

export interface ProvisionPlan {
  topics: string[];
  subscriptions: SubscriptionPlan[];
}

export type ProvisionAction = 'created' | 'exists' | 'updated';
export interface ProvisionResult {
  resource: 'topic' | 'subscription';
  name: string;
  action: ProvisionAction;
  detail?: string;
}

/** The variables `planFrom` reads (see CONTRACT.md); every one has a default but the endpoints. */
export interface ProvisionEnv {
  PUBSUB_TOPIC?: string;
  PUBSUB_INTERACTIONS_TOPIC?: string;
  PUBSUB_SUBSCRIPTION?: string;
  WORKER_PUSH_ENDPOINT?: string;
  API_PUSH_ENDPOINT?: string;
  PUSH_SERVICE_ACCOUNT?: string;
  /** The audience the worker's Cloud Run service accepts (its custom audience); default `vocoeng-worker-push`. */
  WORKER_PUSH_AUDIENCE?: string;
  /** The audience the api's Cloud Run service accepts, for its interactions and dead-letter pushes; default `vocoeng-api-push`. */
  API_PUSH_AUDIENCE?: string;
  /** No longer read: one audience for every push subscription cannot match two services (see `planFrom`). */
  PUSH_AUDIENCE?: string;
  /** The worker's; a window over 0 makes the worker subscription unordered (see `planFrom`). */
  COALESCE_WINDOW_MS?: string;
}

/** The api role's subscription to the interactions topic: `<topic>-api` (`vocoeng-interactions-api`). */
export const apiSubscriptionOf = (interactionsTopic: string): string => `${interactionsTopic}-api`;
const MAX_DELIVERY_ATTEMPTS = 5;
const RETRY = { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 };
// Push: the ack deadline is the push request's timeout, so it matches the worker's Cloud Run
// --timeout (300 s, cloudbuild.worker.yaml). Pull: the streaming client extends leases itself;
// 60 s only bounds how long a crashed worker's messages wait.
const WORKER_ACK_DEADLINE = { push: 300, pull: 60 };
const API_ACK_DEADLINE = 60;

export const deadLetterTopicOf = (topic: string): string => `${topic}-dead-letter`;
export const deadLetterSubscriptionOf = (topic: string): string => `${deadLetterTopicOf(topic)}-sub`;
/** The api role's push subscription on a dead-letter topic, beside the pull one that keeps a copy. */
export const deadLetterPushSubscriptionOf = (topic: string): string => `${deadLetterTopicOf(topic)}-push`;
/** Where the api role takes dead letters: on the host of API_PUSH_ENDPOINT. */
export const deadLetterEndpointOf = (apiPushEndpoint: string): string => new URL('/internal/pubsub/dead-letters', apiPushEndpoint).toString();

/**
 * The custom audiences the Cloud Build files declare on each service (`--add-custom-audiences`) and
 * set as its PUSH_AUDIENCE. A private Cloud Run service rejects a token whose audience is neither
 * its URL nor one of its custom audiences before the app sees it, so each receiving service gets
 * its own.
 */
export const DEFAULT_WORKER_PUSH_AUDIENCE = 'vocoeng-worker-push';
export const DEFAULT_API_PUSH_AUDIENCE = 'vocoeng-api-push';

type Receiver = 'worker' | 'api';

function deliveryFor(endpoint: string | undefined, receiver: Receiver, env: ProvisionEnv): SubscriptionDelivery {
  if (!endpoint) return { mode: 'pull' };
  if (!env.PUSH_SERVICE_ACCOUNT) return { mode: 'push', endpoint };
  const audience = receiver === 'worker' ? env.WORKER_PUSH_AUDIENCE || DEFAULT_WORKER_PUSH_AUDIENCE : env.API_PUSH_AUDIENCE || DEFAULT_API_PUSH_AUDIENCE;
  return { mode: 'push', endpoint, serviceAccountEmail: env.PUSH_SERVICE_ACCOUNT, audience };
}

/** Topics and subscriptions of one VocoEng deployment, from its environment. */
export function planFrom(env: ProvisionEnv): ProvisionPlan {
  if (env.PUSH_AUDIENCE) {
    throw new Error(
      `PUSH_AUDIENCE is not read by provisioning: each receiving service has its own audience, WORKER_PUSH_AUDIENCE (default ${DEFAULT_WORKER_PUSH_AUDIENCE}) and API_PUSH_AUDIENCE (default ${DEFAULT_API_PUSH_AUDIENCE}); unset it`,
    );
  }
  const inbound = env.PUBSUB_TOPIC || 'vocoeng-inbound';
  const interactions = env.PUBSUB_INTERACTIONS_TOPIC || 'vocoeng-interactions';
  const worker = deliveryFor(env.WORKER_PUSH_ENDPOINT, 'worker', env);
  const deadLetterSubscription = (topic: string): SubscriptionPlan => ({
    name: deadLetterSubscriptionOf(topic),
    topic: deadLetterTopicOf(topic),
    delivery: { mode: 'pull' },
    ackDeadlineSeconds: 60,
    ordering: false,
  });
  // The api stores dead letters for the dashboard and the CLI to replay (pushed, so only with an api endpoint).
  const deadLetterPush = (topic: string, endpoint: string): SubscriptionPlan => ({
    name: deadLetterPushSubscriptionOf(topic),
    topic: deadLetterTopicOf(topic),
    delivery: deliveryFor(deadLetterEndpointOf(endpoint), 'api', env),
    ackDeadlineSeconds: API_ACK_DEADLINE,
    ordering: false,
    retry: RETRY,
  });
  const apiEndpoint = env.API_PUSH_ENDPOINT;
  return {
    topics: [inbound, interactions, deadLetterTopicOf(inbound), deadLetterTopicOf(interactions)],
    subscriptions: [
      deadLetterSubscription(inbound),
      deadLetterSubscription(interactions),
      ...(apiEndpoint ? [deadLetterPush(inbound, apiEndpoint), deadLetterPush(interactions, apiEndpoint)] : []),
      {
        name: env.PUBSUB_SUBSCRIPTION || 'vocoeng-inbound-worker',
        topic: inbound,
        delivery: worker,
        ackDeadlineSeconds: WORKER_ACK_DEADLINE[worker.mode],
        // Pub/Sub orders each conversation, unless bursts are folded: an ordered subscription holds
        // message 2 until message 1 is acked, so nothing could ever be folded into message 1's reply.
        // With COALESCE_WINDOW_MS the worker orders each conversation itself (a message waits while
        // an earlier one is answered; one that turns up late inside the window takes precedence).
        ordering: !(Number(env.COALESCE_WINDOW_MS ?? 0) > 0),
        deadLetter: { topic: deadLetterTopicOf(inbound), maxDeliveryAttempts: MAX_DELIVERY_ATTEMPTS },
        retry: RETRY,
      },
      {
        name: apiSubscriptionOf(interactions),
        topic: interactions,
        delivery: deliveryFor(env.API_PUSH_ENDPOINT, 'api', env),
        ackDeadlineSeconds: API_ACK_DEADLINE,
        // Ingestion is idempotent per event id; ordering would only let one bad event hold back its conversation.
        ordering: false,
        deadLetter: { topic: deadLetterTopicOf(interactions), maxDeliveryAttempts: MAX_DELIVERY_ATTEMPTS },
        retry: RETRY,
      },
    ],
  };
}

/**
 * Creates what `plan` lists and is missing; leaves what exists, except a subscription whose push
 * endpoint, OIDC identity or ack deadline differs, which is switched to the planned delivery. Topics first,
 * so dead-letter topics exist before the subscriptions that name them. One `log` line per resource.
 */
export async function provision(pubsub: PubSub, plan: ProvisionPlan, log: (line: string) => void): Promise<ProvisionResult[]> {
  const results: ProvisionResult[] = [];
  const report = (result: ProvisionResult) => {
    results.push(result);
    log(`${result.resource} ${result.name}: ${result.action}${result.detail ? ` (${result.detail})` : ''}`);
  };
  for (const name of plan.topics) {
    const topic = pubsub.topic(name);
    const [exists] = await topic.exists();
    if (!exists) await topic.create();
    report({ resource: 'topic', name, action: exists ? 'exists' : 'created' });
  }
  for (const planned of plan.subscriptions) report(await ensureSubscription(pubsub, planned));
  return results;
}

async function ensureSubscription(pubsub: PubSub, plan: SubscriptionPlan): Promise<ProvisionResult> {
  const subscription = pubsub.subscription(plan.name);
  const [exists] = await subscription.exists();
  if (!exists) {
    await pubsub.topic(plan.topic).createSubscription(plan.name, {
      pushConfig: pushConfigOf(plan.delivery),
      ackDeadlineSeconds: plan.ackDeadlineSeconds,
      enableMessageOrdering: plan.ordering,
      // Never delete an idle subscription (the default is 31 days): dead letters would go with it.
      expirationPolicy: {},
      ...(plan.deadLetter
        ? { deadLetterPolicy: { deadLetterTopic: pubsub.topic(plan.deadLetter.topic).name, maxDeliveryAttempts: plan.deadLetter.maxDeliveryAttempts } }
        : {}),
      ...(plan.retry
        ? { retryPolicy: { minimumBackoff: { seconds: plan.retry.minimumBackoffSeconds }, maximumBackoff: { seconds: plan.retry.maximumBackoffSeconds } } }
        : {}),
    });
    return { resource: 'subscription', name: plan.name, action: 'created', detail: describeDelivery(plan.delivery) };
  }
  return (await reconcile(subscription, plan)) ?? { resource: 'subscription', name: plan.name, action: 'exists', detail: describeDelivery(plan.delivery) };
}

/** A subscription's delivery can change in place: the push endpoint or OIDC identity, and its ack deadline. */
async function reconcile(subscription: Subscription, plan: SubscriptionPlan): Promise<ProvisionResult | undefined> {
  const [metadata] = await subscription.getMetadata();
  if (metadata.topic && !metadata.topic.endsWith(`/topics/${plan.topic}`)) {
    throw new Error(`subscription ${plan.name} exists on ${metadata.topic}, not on topic ${plan.topic}: delete it or choose other names`);
  }
  const current = metadata.pushConfig ?? {};
  const wanted = pushConfigOf(plan.delivery);
  const changes: string[] = [];
  const samePush =
    (current.pushEndpoint ?? '') === (wanted.pushEndpoint ?? '') &&
    (current.oidcToken?.serviceAccountEmail ?? '') === (wanted.oidcToken?.serviceAccountEmail ?? '') &&
    (current.oidcToken?.audience ?? '') === (wanted.oidcToken?.audience ?? '');
  if (!samePush) {
    await subscription.modifyPushConfig(wanted);
    changes.push(`was ${current.pushEndpoint ? `push to ${current.pushEndpoint}` : 'pull'}`);
  }
  if (metadata.ackDeadlineSeconds !== plan.ackDeadlineSeconds) {
    await subscription.setMetadata({ ackDeadlineSeconds: plan.ackDeadlineSeconds });
    changes.push(`ack deadline ${metadata.ackDeadlineSeconds ?? '?'} s -> ${plan.ackDeadlineSeconds} s`);
  }
  // Pub/Sub cannot switch ordering on an existing subscription: say so rather than pass it over.
  if ((metadata.enableMessageOrdering ?? false) !== plan.ordering) {
    const detail = `message ordering is ${metadata.enableMessageOrdering ? 'on' : 'off'}, planned ${plan.ordering ? 'on' : 'off'}: it cannot change in place, delete the subscription and provision again`;
    return { resource: 'subscription', name: plan.name, action: changes.length ? 'updated' : 'exists', detail: [describeDelivery(plan.delivery), ...changes, detail].join(', ') };
  }
  if (changes.length === 0) return undefined;
  return { resource: 'subscription', name: plan.name, action: 'updated', detail: [describeDelivery(plan.delivery), ...changes].join(', ') };
}

interface PushConfig {
  pushEndpoint?: string;
  oidcToken?: { serviceAccountEmail: string; audience?: string };
}

function pushConfigOf(delivery: SubscriptionDelivery): PushConfig {
  if (delivery.mode === 'pull') return {};
  return {
    pushEndpoint: delivery.endpoint,
    ...(delivery.serviceAccountEmail
      ? { oidcToken: { serviceAccountEmail: delivery.serviceAccountEmail, ...(delivery.audience ? { audience: delivery.audience } : {}) } }
      : {}),
  };
}

/** Endpoint, audience and service account: what the receiving service must accept. */
function describeDelivery(delivery: SubscriptionDelivery): string {
  if (delivery.mode === 'pull') return 'pull';
  if (!delivery.serviceAccountEmail) return `push to ${delivery.endpoint}`;
  return `push to ${delivery.endpoint}, audience ${delivery.audience ?? delivery.endpoint}, as ${delivery.serviceAccountEmail}`;
}
