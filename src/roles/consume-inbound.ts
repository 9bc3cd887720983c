import type { InboundEvent } from '../domain/model/events.js';
import type { HandleInboundEvent, InboundEventOutcome } from '../domain/use-cases/handle-inbound-event.js';
import type { Logger } from '../observability/logger.js';

/** When the handling may run: the push route waits for the message's turn; the others run it at once. */
export type Turn = (handle: () => Promise<InboundEventOutcome>) => Promise<InboundEventOutcome>;

/** One delivery of the inbound topic, handled and logged; rejecting asks for redelivery. */
export type InboundConsumer = (delivery: { messageId: string; event: InboundEvent }, turn?: Turn) => Promise<void>;

/** The worker's single way in, shared by the push route, the pull consumer and the in-process bus. */
export function consumeInbound(handleInbound: HandleInboundEvent, logger: Logger): InboundConsumer {
  return async ({ messageId, event }, turn = (handle) => handle()) => {
    logInbound(logger, messageId, await turn(() => handleInbound.execute(event)));
  };
}

/** Unsent and failed replies are logged as warnings with their reason, so they are noticed. */
function logInbound(logger: Logger, messageId: string, outcome: InboundEventOutcome): void {
  const unhappy = outcome.kind !== 'status' && outcome.firstDelivery && ['unsent', 'failed', 'send-unknown'].includes(outcome.state);
  const what = outcome.kind === 'agent-reply' ? 'agent reply' : 'reply';
  logger.log(unhappy ? 'warn' : 'info', unhappy ? `${what} ${outcome.state}` : 'inbound event handled', { messageId, ...outcome });
}
