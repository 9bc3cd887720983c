import { Hono } from 'hono';
import { inboundEventSchema } from '../adapters/codec/event-schemas.js';
import type { InboundEvent } from '../domain/model/events.js';
import type { InboundEventOutcome } from '../domain/use-cases/handle-inbound-event.js';
import type { Logger } from '../observability/logger.js';
import type { PushAuthenticator } from './auth/push-oidc.js';
import { handlePush } from './pubsub-push.js';
import { waitForTurn } from './wait-for-turn.js';

export interface WorkerDeps {
  /** Handles and logs one inbound delivery (`consumeInbound`), running it when `turn` says so. */
  consume: (delivery: { messageId: string; event: InboundEvent }, turn: (handle: () => Promise<InboundEventOutcome>) => Promise<InboundEventOutcome>) => Promise<void>;
  logger: Logger;
  /** Checks the push OIDC token. */
  pushAuth: PushAuthenticator;
  /** How long a push waits in the process for its message's turn before it is nacked (default 0). */
  turnWaitMs?: number;
  /** Aborted at shutdown: a push waiting for its turn is nacked at once. */
  draining?: AbortSignal;
}

/** Pub/Sub push ingress of the inbound topic: 2xx acks, 5xx asks for redelivery. */
export function workerRoutes(deps: WorkerDeps): Hono {
  const app = new Hono();
  app.post('/pubsub/push', (c) =>
    handlePush(
      c,
      inboundEventSchema,
      (delivery) => deps.consume(delivery, (handle) => waitForTurn(handle, deps.turnWaitMs ?? 0, deps.draining)),
      deps.logger,
      deps.pushAuth,
    ),
  );
  return app;
}
