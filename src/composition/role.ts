import type { PubSub } from '@google-cloud/pubsub';
import type { Hono } from 'hono';
import { inboundEventSchema } from '../adapters/codec/event-schemas.js';
import { PubSubPullConsumer } from '../adapters/pubsub/pubsub-pull-consumer.js';
import type { InboundEvent } from '../domain/model/events.js';
import { StartupError } from './adapters-module.js';
import type { Container } from 'inversify';
import { InMemoryMessageBus } from '../adapters/memory/in-memory-message-bus.js';
import type { Config, Role } from '../config/config.js';
import type { Clock } from '../domain/ports/clock.js';
import type { MessageBus } from '../domain/ports/message-bus.js';
import type { AcceptApiMessage } from '../domain/use-cases/accept-api-message.js';
import type { AcceptWhatsAppNotification } from '../domain/use-cases/accept-whatsapp-notification.js';
import type { GetTranscript } from '../domain/use-cases/get-transcript.js';
import type { HandleInboundEvent } from '../domain/use-cases/handle-inbound-event.js';
import type { QueryAnalytics } from '../domain/use-cases/query-analytics.js';
import type { RecordInteraction } from '../domain/use-cases/record-interaction.js';
import { apiRoutes } from '../http/api-routes.js';
import type { ApiKeyVerifier } from '../http/auth/api-keys.js';
import type { PushAuthenticator } from '../http/auth/push-oidc.js';
import { createApp } from '../http/create-app.js';
import type { Readiness } from '../http/health.js';
import { listenerRoutes } from '../http/listener-routes.js';
import { logInbound, workerRoutes } from '../http/worker-routes.js';
import { errorFields, type Logger } from '../observability/logger.js';
import { buildContainer, type ContainerOptions } from './container.js';
import { describeAdapters, type AdapterReport } from './describe-adapters.js';
import { TOKENS } from './tokens.js';

export const API_ACCOUNT_ID = 'default';

export interface RoleRuntime {
  role: Role;
  app: Hono;
  readiness: Readiness;
  adapters: AdapterReport;
  container: Container;
  /** Starts background consumers (pull mode); HTTP is served by the caller. */
  start(): void;
  /** Stops taking work, lets in-flight work finish, closes clients. */
  stop(): Promise<void>;
}

const runs = (config: Config, role: Exclude<Role, 'all'>) => config.ROLE === role || config.ROLE === 'all';

/** Builds the HTTP app and background consumers of the configured role. */
export function buildRole(config: Config, options: ContainerOptions): RoleRuntime {
  const container = buildContainer(config, options);
  const logger = container.get<Logger>(TOKENS.Logger);
  const clock = container.get<Clock>(TOKENS.Clock);
  const readiness: Readiness = { ready: false };
  const groups: Hono[] = [];
  const pushAuth = container.get<PushAuthenticator>(TOKENS.PushAuthenticator);

  if (runs(config, 'listener')) {
    groups.push(
      listenerRoutes({
        acceptWhatsApp: container.get<AcceptWhatsAppNotification>(TOKENS.AcceptWhatsAppNotification),
        acceptApi: container.get<AcceptApiMessage>(TOKENS.AcceptApiMessage),
        ...(config.WHATSAPP_APP_SECRET && config.WHATSAPP_VERIFY_TOKEN
          ? { whatsapp: { appSecret: config.WHATSAPP_APP_SECRET, verifyToken: config.WHATSAPP_VERIFY_TOKEN } }
          : {}),
        ...(config.API_WEBHOOK_SECRET ? { apiWebhookSecret: config.API_WEBHOOK_SECRET } : {}),
        apiAccountId: API_ACCOUNT_ID,
        clock,
        logger,
      }),
    );
  }
  if (runs(config, 'worker')) {
    groups.push(workerRoutes({ handleInbound: container.get<HandleInboundEvent>(TOKENS.HandleInboundEvent), logger, pushAuth }));
  }
  if (runs(config, 'api')) {
    groups.push(
      apiRoutes({
        queryAnalytics: container.get<QueryAnalytics>(TOKENS.QueryAnalytics),
        getTranscript: container.get<GetTranscript>(TOKENS.GetTranscript),
        recordInteraction: container.get<RecordInteraction>(TOKENS.RecordInteraction),
        apiKeys: container.get<ApiKeyVerifier>(TOKENS.ApiKeyVerifier),
        clock,
        logger,
        pushAuth,
      }),
    );
  }

  const bus = container.get<MessageBus>(TOKENS.MessageBus);
  if (config.ROLE === 'all' && bus instanceof InMemoryMessageBus) subscribeInProcess(container, bus, logger);
  const consumer = runs(config, 'worker') && config.WORKER_MODE === 'pull' ? pullConsumer(container, config, logger) : undefined;

  return {
    role: config.ROLE,
    app: createApp(config.ROLE, readiness, logger, groups),
    readiness,
    adapters: { ...describeAdapters(container), ...(consumer ? { workerIngress: `PubSubPullConsumer(${config.PUBSUB_SUBSCRIPTION})` } : {}) },
    container,
    start() {
      consumer?.start();
    },
    async stop() {
      readiness.ready = false;
      // In-flight deliveries first, then the clients they use.
      await consumer?.close();
      await closeIfPossible(bus);
      await closeIfPossible(container.get(TOKENS.ChatStore));
    },
  };
}

/** WORKER_MODE=pull: streaming pull of PUBSUB_SUBSCRIPTION into the worker's use case. */
function pullConsumer(container: Container, config: Config, logger: Logger): PubSubPullConsumer<InboundEvent> {
  if (!config.PUBSUB_SUBSCRIPTION || !container.isBound(TOKENS.PubSub)) {
    throw new StartupError(['WORKER_MODE=pull needs PROJECT_ID and PUBSUB_SUBSCRIPTION (Pub/Sub streaming pull)']);
  }
  const handleInbound = container.get<HandleInboundEvent>(TOKENS.HandleInboundEvent);
  return new PubSubPullConsumer(
    container.get<PubSub>(TOKENS.PubSub),
    config.PUBSUB_SUBSCRIPTION,
    inboundEventSchema,
    async ({ messageId, event }) => logInbound(logger, messageId, await handleInbound.execute(event)),
    logger,
  );
}

async function closeIfPossible(client: unknown): Promise<void> {
  if (typeof (client as { close?: unknown }).close === 'function') await (client as { close(): Promise<void> }).close();
}

/** ROLE=all: the worker and the api consume the in-process topics directly. */
function subscribeInProcess(container: Container, bus: InMemoryMessageBus, logger: Logger): void {
  const handleInbound = container.get<HandleInboundEvent>(TOKENS.HandleInboundEvent);
  const recordInteraction = container.get<RecordInteraction>(TOKENS.RecordInteraction);
  bus.subscribe('inbound', async ({ messageId, event }) => {
    logInbound(logger, messageId, await handleInbound.execute(event));
  });
  bus.subscribe('interactions', async ({ event }) => {
    await recordInteraction.execute(event).catch((error: unknown) => {
      logger.warn('interaction not recorded yet', { eventId: event.eventId, ...errorFields(error) });
      throw error;
    });
  });
}
