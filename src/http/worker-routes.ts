import { Hono } from 'hono';
import { inboundEventSchema } from '../adapters/codec/event-schemas.js';
import type { HandleInboundEvent, InboundEventOutcome } from '../domain/use-cases/handle-inbound-event.js';
import type { Logger } from '../observability/logger.js';
import type { PushAuthenticator } from './auth/push-oidc.js';
import { handlePush } from './pubsub-push.js';
import { waitForTurn } from './wait-for-turn.js';

export interface WorkerDeps {
  handleInbound: HandleInboundEvent;
  logger: Logger;
  /**
   * Checks the push OIDC token. Optional only until the composition root passes it; absent means
   * every push is accepted (as `AllowAllPushAuthenticator`).
   */
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
      async ({ messageId, event }) => {
        logInbound(deps.logger, messageId, await waitForTurn(() => deps.handleInbound.execute(event), deps.turnWaitMs ?? 0, deps.draining));
      },
      deps.logger,
      deps.pushAuth,
    ),
  );
  return app;
}

/** Unsent and failed replies are logged as warnings with their reason, so they are noticed. */
export function logInbound(logger: Logger, messageId: string, outcome: InboundEventOutcome): void {
  const unhappy = outcome.kind === 'message' && outcome.firstDelivery && ['unsent', 'failed', 'send-unknown'].includes(outcome.state);
  logger.log(unhappy ? 'warn' : 'info', unhappy ? `reply ${outcome.state}` : 'inbound event handled', { messageId, ...outcome });
}
