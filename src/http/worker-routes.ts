import { Hono } from 'hono';
import { inboundEventSchema } from '../adapters/codec/event-schemas.js';
import type { HandleInboundEvent } from '../domain/use-cases/handle-inbound-event.js';
import type { Logger } from '../observability/logger.js';
import { handlePush } from './pubsub-push.js';

export interface WorkerDeps {
  handleInbound: HandleInboundEvent;
  logger: Logger;
}

/** Pub/Sub push ingress of the inbound topic: 2xx acks, 5xx asks for redelivery. */
export function workerRoutes(deps: WorkerDeps): Hono {
  const app = new Hono();
  app.post('/pubsub/push', (c) =>
    handlePush(
      c,
      inboundEventSchema,
      async ({ messageId, event }) => {
        const outcome = await deps.handleInbound.execute(event);
        deps.logger.info('inbound event handled', { messageId, ...outcome });
      },
      deps.logger,
    ),
  );
  return app;
}
