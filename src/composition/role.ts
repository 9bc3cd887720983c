import type { PubSub } from '@google-cloud/pubsub';
import { Hono } from 'hono';
import { AdminEmailTakenError } from '../domain/model/admin.js';
import type { AdminDirectory } from '../domain/ports/admin-directory.js';
import type { ApiKeyStore } from '../domain/ports/api-key-store.js';
import type { ChatStore } from '../domain/ports/chat-store.js';
import { adminRoutes } from '../http/admin/admin-routes.js';
import { hashPassword } from '../http/admin/passwords.js';
import { setAdminPassword } from '../http/admin/admin-password.js';
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
import type { EraseParticipant } from '../domain/use-cases/erase-participant.js';
import { requestScopeOf, type Database } from '../adapters/postgres/database.js';
import type { HandleInboundEvent } from '../domain/use-cases/handle-inbound-event.js';
import type { QueryAnalytics } from '../domain/use-cases/query-analytics.js';
import type { RecordInteraction } from '../domain/use-cases/record-interaction.js';
import { apiRoutes } from '../http/api-routes.js';
import { deadLetterPushRoutes } from '../http/dead-letter-routes.js';
import type { DeadLetterStore } from '../domain/ports/dead-letter-store.js';
import type { ListDeadLetters } from '../domain/use-cases/list-dead-letters.js';
import type { ReplayDeadLetter } from '../domain/use-cases/replay-dead-letter.js';
import type { ApiKeyVerifier } from '../http/auth/api-keys.js';
import type { PushAuthenticator } from '../http/auth/push-oidc.js';
import { createApp } from '../http/create-app.js';
import type { Readiness } from '../http/health.js';
import { listenerRoutes } from '../http/listener-routes.js';
import { logInbound, workerRoutes } from '../http/worker-routes.js';
import { errorFields, type Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { buildContainer, type ContainerOptions } from './container.js';
import { describeAdapters, type AdapterReport } from './describe-adapters.js';
import { retentionSweep } from './retention-sweep.js';
import { TOKENS } from './tokens.js';
import type { ApplyRetention } from '../domain/use-cases/apply-retention.js';

export const API_ACCOUNT_ID = 'default';

export interface RoleRuntime {
  role: Role;
  app: Hono;
  readiness: Readiness;
  adapters: AdapterReport;
  container: Container;
  /** One-time work before serving: the first admin user from ADMIN_EMAIL/ADMIN_PASSWORD. */
  prepare(): Promise<void>;
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
  const draining = new AbortController();
  const readiness: Readiness = { ready: false, draining };
  const groups: Hono[] = [];
  const pushAuth = container.get<PushAuthenticator>(TOKENS.PushAuthenticator);
  const database = container.isBound(TOKENS.Database) ? container.get<Database>(TOKENS.Database) : undefined;

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
        metrics: container.get<Metrics>(TOKENS.Metrics),
      }),
    );
  }
  // A pull worker takes no pushes: it does not serve the push endpoint at all.
  if (runs(config, 'worker') && config.WORKER_MODE === 'push') {
    // A message waits in the process for its turn for up to one lease: its predecessor is answered by then or taken over.
    groups.push(workerRoutes({ handleInbound: container.get<HandleInboundEvent>(TOKENS.HandleInboundEvent), logger, pushAuth, turnWaitMs: config.REPLY_LEASE_MS, draining: draining.signal }));
  }
  if (runs(config, 'api')) {
    groups.push(
      apiRoutes({
        queryAnalytics: container.get<QueryAnalytics>(TOKENS.QueryAnalytics),
        getTranscript: container.get<GetTranscript>(TOKENS.GetTranscript),
        recordInteraction: container.get<RecordInteraction>(TOKENS.RecordInteraction),
        eraseParticipant: container.get<EraseParticipant>(TOKENS.EraseParticipant),
        apiKeys: container.get<ApiKeyVerifier>(TOKENS.ApiKeyVerifier),
        clock,
        logger,
        pushAuth,
        apiAccountId: API_ACCOUNT_ID,
        ...(database ? { requestScope: requestScopeOf(database) } : {}),
      }),
    );
    groups.push(
      deadLetterPushRoutes({
        deadLetters: container.get<DeadLetterStore>(TOKENS.DeadLetterStore),
        clock,
        logger,
        pushAuth,
        ...(database ? { requestScope: requestScopeOf(database) } : {}),
      }),
    );
    groups.push(adminGroup(container, clock, logger, database));
  }

  const bus = container.get<MessageBus>(TOKENS.MessageBus);
  if (config.ROLE === 'all' && bus instanceof InMemoryMessageBus) subscribeInProcess(container, bus, logger, database);
  const consumer = runs(config, 'worker') && config.WORKER_MODE === 'pull' ? pullConsumer(container, config, logger) : undefined;
  // The api owns the dead letters and the analytics facts, so it prunes them itself (no scheduler to deploy).
  const sweep = runs(config, 'api') ? retentionSweep(container.get<ApplyRetention>(TOKENS.ApplyRetention), logger) : undefined;

  return {
    role: config.ROLE,
    app: createApp(config.ROLE, readiness, logger, groups),
    readiness,
    adapters: { ...describeAdapters(container), ...(consumer ? { workerIngress: `PubSubPullConsumer(${config.PUBSUB_SUBSCRIPTION})` } : {}) },
    container,
    async prepare() {
      if (runs(config, 'api')) await ensureFirstAdmin(config, container.get<AdminDirectory>(TOKENS.AdminDirectory), clock, logger);
    },
    start() {
      consumer?.start();
      sweep?.start();
    },
    async stop() {
      readiness.ready = false;
      draining.abort();
      // In-flight deliveries first, then the clients they use.
      await consumer?.close();
      await sweep?.stop();
      await closeIfPossible(bus);
      await closeIfPossible(container.get(TOKENS.ChatStore));
      await database?.close();
      // Last: the final export counts what the drained work recorded.
      await container.get<Metrics>(TOKENS.Metrics).close();
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
    // Paced retries here keep an outage of a few minutes from spending the message's delivery
    // attempts (and the send and generation budgets) at the speed Pub/Sub redelivers a nack.
    { retryWindowMs: config.PULL_RETRY_WINDOW_MS },
  );
}

/** The dashboard at /admin, each request in a unit of work of its own like the JSON API. */
function adminGroup(container: Container, clock: Clock, logger: Logger, database: Database | undefined): Hono {
  const group = new Hono();
  if (database) {
    const scope = requestScopeOf(database);
    // '/admin/*' covers '/admin' itself as well: one RequestContext per request.
    group.use('/admin/*', (_c, next) => scope(() => next()));
  }
  group.get('/admin/', (c) => c.redirect('/admin', 301));
  group.route(
    '/admin',
    adminRoutes({
      directory: container.get<AdminDirectory>(TOKENS.AdminDirectory),
      apiKeys: container.get<ApiKeyStore>(TOKENS.ApiKeyStore),
      queryAnalytics: container.get<QueryAnalytics>(TOKENS.QueryAnalytics),
      getTranscript: container.get<GetTranscript>(TOKENS.GetTranscript),
      channels: container.get<ChatStore>(TOKENS.ChatStore),
      deadLetters: { list: container.get<ListDeadLetters>(TOKENS.ListDeadLetters), replay: container.get<ReplayDeadLetter>(TOKENS.ReplayDeadLetter) },
      clock,
      logger,
    }),
  );
  return group;
}

/**
 * ADMIN_EMAIL/ADMIN_PASSWORD: the first admin user, created once (a racing instance's copy is
 * fine); when the user exists and ADMIN_PASSWORD changed, the stored password follows it.
 */
async function ensureFirstAdmin(config: Config, directory: AdminDirectory, clock: Clock, logger: Logger): Promise<void> {
  if (!config.ADMIN_EMAIL || !config.ADMIN_PASSWORD) return;
  const change = await setAdminPassword(directory, config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
  if (change === 'changed') logger.warn('admin password changed from ADMIN_PASSWORD: every session of that user ended');
  if (change !== 'no-such-user') return;
  try {
    await directory.createUser({ email: config.ADMIN_EMAIL, passwordHash: await hashPassword(config.ADMIN_PASSWORD) }, clock.now());
    logger.info('first admin user created from ADMIN_EMAIL');
  } catch (error) {
    if (!(error instanceof AdminEmailTakenError)) throw error;
  }
}

async function closeIfPossible(client: unknown): Promise<void> {
  if (typeof (client as { close?: unknown }).close === 'function') await (client as { close(): Promise<void> }).close();
}

/** ROLE=all: the worker and the api consume the in-process topics directly. */
function subscribeInProcess(container: Container, bus: InMemoryMessageBus, logger: Logger, database: Database | undefined): void {
  const scope = database ? requestScopeOf(database) : <T>(work: () => Promise<T>) => work();
  const handleInbound = container.get<HandleInboundEvent>(TOKENS.HandleInboundEvent);
  const recordInteraction = container.get<RecordInteraction>(TOKENS.RecordInteraction);
  bus.subscribe('inbound', async ({ messageId, event }) => {
    logInbound(logger, messageId, await handleInbound.execute(event));
  });
  bus.subscribe('interactions', async ({ event }) => {
    await scope(() => recordInteraction.execute(event)).catch((error: unknown) => {
      logger.warn('interaction not recorded yet', { eventId: event.eventId, ...errorFields(error) });
      throw error;
    });
  });
}
