import { inboundEventSchema } from '../adapters/codec/event-schemas.js';
import { PubSubPullConsumer } from '../adapters/pubsub/pubsub-pull-consumer.js';
import { StartupError } from '../composition/startup-error.js';
import { TOKENS } from '../composition/tokens.js';
import type { Wiring } from '../composition/wiring.js';
import type { Config } from '../config/config.js';
import { consumeInbound } from './consume-inbound.js';
import type { RolePart } from './role-module.js';

/** WORKER_MODE=pull: streaming pull of PUBSUB_SUBSCRIPTION into the worker's use case; no push endpoint. */
export function pullIngress(wiring: Wiring, config: Config): RolePart {
  const subscription = config.PUBSUB_SUBSCRIPTION;
  if (!subscription || !wiring.has(TOKENS.PubSub)) {
    throw new StartupError(['WORKER_MODE=pull needs PROJECT_ID and PUBSUB_SUBSCRIPTION (Pub/Sub streaming pull)']);
  }
  const logger = wiring.get(TOKENS.Logger);
  const consumer = new PubSubPullConsumer(wiring.get(TOKENS.PubSub), subscription, inboundEventSchema, consumeInbound(wiring.get(TOKENS.HandleInboundEvent), logger), logger, {
    // Paced retries here keep an outage of a few minutes from spending the message's delivery
    // attempts (and the send and generation budgets) at the speed Pub/Sub redelivers a nack.
    retryWindowMs: config.PULL_RETRY_WINDOW_MS,
    maxConcurrent: config.PULL_MAX_CONCURRENT,
    maxMessages: Math.max(100, 10 * config.PULL_MAX_CONCURRENT),
  });
  return {
    groups: [],
    adapters: { workerIngress: `PubSubPullConsumer(${subscription}, ${config.PULL_MAX_CONCURRENT} at once)` },
    start: () => consumer.start(),
    stop: () => consumer.close(),
  };
}
