import type { DeliveryHandler, SubscribeOptions } from '../adapters/bus-delivery.js';
import { TOKENS } from '../composition/tokens.js';
import type { Providers, Wiring } from '../composition/wiring.js';
import type { MessageBus, TopicName, Topics } from '../domain/ports/message-bus.js';
import type { RequestScope } from '../http/api/api-routes.js';
import { errorFields } from '../observability/logger.js';
import { composeRole as composeApi } from './api.js';
import { consumeInbound } from './consume-inbound.js';
import { composeRole as composeListener } from './listener.js';
import type { ComposeRole, RolePart } from './role-module.js';
import { composeRole as composeWorker } from './worker.js';

/** A bus whose topics this process consumes itself: the PostgreSQL outbox of `npm start`, or the in-memory one of tests. */
interface InProcessBus extends MessageBus {
  subscribe<K extends TopicName>(topic: K, handler: DeliveryHandler<Topics[K]>, options?: SubscribeOptions): void;
}

const isInProcess = (bus: MessageBus): bus is InProcessBus => typeof (bus as Partial<InProcessBus>).subscribe === 'function';

/**
 * ROLE=all: the listener, the worker and the api in one process (a local run, or one service on
 * Pub/Sub). On an in-process bus the worker and the api consume its topics directly.
 */
export const composeRole: ComposeRole = async (config, inputs) => {
  const roles = await Promise.all([composeListener(config, inputs), composeWorker(config, inputs), composeApi(config, inputs)]);
  const { database } = inputs;
  const scope: RequestScope = database ? (await import('../adapters/postgres/database.js')).requestScopeOf(database) : (work) => work();
  // Bindings two roles share (the chat store, push authentication) are made the same way by each: one instance.
  const providers: Providers = Object.assign({}, ...roles.map((role) => role.providers));
  return {
    providers,
    attach: (wiring, draining) => {
      const parts = roles.map((role) => role.attach(wiring, draining));
      const bus = wiring.get(TOKENS.MessageBus);
      if (isInProcess(bus)) subscribeInProcess(wiring, bus, scope);
      return together(parts);
    },
  };
};

/** The in-process topics, consumed as the worker's push or pull and the api's push would. */
function subscribeInProcess(wiring: Wiring, bus: InProcessBus, scope: RequestScope): void {
  const logger = wiring.get(TOKENS.Logger);
  const recordInteraction = wiring.get(TOKENS.RecordInteraction);
  bus.subscribe('inbound', consumeInbound(wiring.get(TOKENS.HandleInboundEvent), logger));
  // Recorded as it is published where the bus can (the outbox: the same database, one statement
  // instead of a row's three); one that fails goes through the bus and its retries.
  bus.subscribe(
    'interactions',
    async ({ event }) => {
      await scope(() => recordInteraction.execute(event)).catch((error: unknown) => {
        logger.warn('interaction not recorded yet', { eventId: event.eventId, ...errorFields(error) });
        throw error;
      });
    },
    { atPublish: true },
  );
}

/** The three roles' parts as one: groups in role order, background work started and stopped in order. */
function together(parts: RolePart[]): RolePart {
  return {
    groups: parts.flatMap((part) => part.groups),
    ...Object.assign({}, ...parts.map(({ webhooks }) => (webhooks ? { webhooks } : {}))),
    adapters: Object.assign({}, ...parts.map((part) => part.adapters ?? {})),
    prepare: async () => {
      for (const part of parts) await part.prepare?.();
    },
    start: () => parts.forEach((part) => part.start?.()),
    stop: async () => {
      for (const part of parts) await part.stop?.();
    },
  };
}
