import { Hono } from 'hono';
import { deadLetterOf, deadLetterPayloadSchema } from '../../adapters/codec/dead-letter-codec.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { DeadLetterStore } from '../../domain/ports/dead-letter-store.js';
import type { Logger } from '../../observability/logger.js';
import type { RequestScope } from './api-routes.js';
import type { PushAuthenticator } from '../auth/push-oidc.js';
import { handlePush } from '../pubsub-push.js';

export interface DeadLetterRouteDeps {
  deadLetters: DeadLetterStore;
  clock: Clock;
  logger: Logger;
  /** Checks the push OIDC token, like the other push endpoints. */
  pushAuth: PushAuthenticator;
  requestScope?: RequestScope;
}

export const DEAD_LETTER_PUSH_PATH = '/internal/pubsub/dead-letters';

/**
 * Pub/Sub push of both dead-letter topics into the dead-letter store: stored once per message id
 * (a redelivered push is acked without a second row), 503 while the store is unavailable. The
 * topic is told by the event's shape; the log names ids and counts, never the message text.
 */
export function deadLetterPushRoutes(deps: DeadLetterRouteDeps): Hono {
  const app = new Hono();
  const scope = deps.requestScope ?? ((work) => work());
  app.post(DEAD_LETTER_PUSH_PATH, (c) =>
    handlePush(
      c,
      deadLetterPayloadSchema,
      ({ messageId, event, attributes, orderingKey }) =>
        scope(async () => {
          const { letter, created } = await deps.deadLetters.add(deadLetterOf(event, { messageId, attributes, orderingKey }, deps.clock.now()));
          // A dead letter is a message nobody answered: an error (an Error Reporting event), once.
          deps.logger.log(created ? 'error' : 'info', created ? 'dead letter stored' : 'dead letter already stored', {
            deadLetterId: letter.id,
            topic: letter.topic,
            messageId,
            conversationId: letter.conversationId,
            deliveryAttempts: letter.deliveryAttempts,
          });
        }),
      deps.logger,
      deps.pushAuth,
    ),
  );
  return app;
}
