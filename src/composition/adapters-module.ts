import { ContainerModule, type ContainerModuleLoadOptions } from 'inversify';
import { createFirestore, FirestoreChatStore } from '../adapters/firestore/firestore-chat-store.js';
import { InMemoryAnalyticsStore } from '../adapters/memory/in-memory-analytics-store.js';
import { InMemoryChatStore } from '../adapters/memory/in-memory-chat-store.js';
import { InMemoryMessageBus } from '../adapters/memory/in-memory-message-bus.js';
import { InMemoryDeadLetterStore } from '../adapters/memory/in-memory-dead-letter-store.js';
import { PostgresDeadLetterStore } from '../adapters/postgres/postgres-dead-letter-store.js';
import { deadLetterSink, type DeadLetterSink } from './dead-letter-sink.js';
import { RoutingReplyChannel, UnconfiguredReplyChannel } from '../adapters/memory/routing-reply-channel.js';
import { SystemClock } from '../adapters/memory/system-clock.js';
import { GptTokenCounter } from '../adapters/openai/gpt-token-counter.js';
import { OpenAiCompletionModel } from '../adapters/openai/openai-completion-model.js';
import { OpenAiTranscriber } from '../adapters/openai/openai-transcriber.js';
import { DisabledTranscriber } from '../adapters/memory/disabled-transcriber.js';
import { WhatsAppMediaDownloader } from '../adapters/whatsapp/whatsapp-media.js';
import type { Transcriber } from '../domain/ports/transcriber.js';
import { createPubSub, PubSubMessageBus } from '../adapters/pubsub/pubsub-message-bus.js';
import { ScriptedCompletionModel } from '../adapters/scripted/scripted-completion-model.js';
import { WebhookReplyChannel } from '../adapters/webhook/webhook-reply-channel.js';
import { WhatsAppGraphReplyChannel } from '../adapters/whatsapp/whatsapp-reply-channel.js';
import { transcribesVoiceNotes, type Config } from '../config/config.js';
import type { ReplyChannel } from '../domain/ports/reply-channel.js';
import { StoredApiKeyVerifier } from '../http/auth/api-keys.js';
import { InMemoryApiKeyStore } from '../adapters/memory/in-memory-api-key-store.js';
import type { Database } from '../adapters/postgres/database.js';
import { PostgresApiKeyStore } from '../adapters/postgres/postgres-api-key-store.js';
import { PostgresAnalyticsStore } from '../adapters/postgres/postgres-analytics-store.js';
import { PostgresAdminDirectory } from '../adapters/postgres/postgres-admin-directory.js';
import { InMemoryAdminDirectory } from '../adapters/memory/in-memory-admin-directory.js';
import type { ApiKeyStore } from '../domain/ports/api-key-store.js';
import type { Clock } from '../domain/ports/clock.js';
import { AllowAllPushAuthenticator, GoogleOidcPushAuthenticator, RefusingPushAuthenticator, type CertificateSource, type PushAuthenticator } from '../http/auth/push-oidc.js';
import { errorFields, type Logger } from '../observability/logger.js';
import { TOKENS } from './tokens.js';

type Bind = ContainerModuleLoadOptions['bind'];

export class StartupError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'StartupError';
  }
}

/** The adapters for this configuration, the same way in every role. */
export function adaptersModule(config: Config, logger: Logger, database?: Database, pushCertificates?: CertificateSource): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const clock = new SystemClock();
    bind(TOKENS.Clock).toConstantValue(clock);
    // Dead letters live beside the analytics: in the api's database when there is one.
    const deadLetters = database ? new PostgresDeadLetterStore(database.orm) : new InMemoryDeadLetterStore();
    bind(TOKENS.DeadLetterStore).toConstantValue(deadLetters);
    if (config.PROJECT_ID) bindGoogleCloud(bind, config, config.PROJECT_ID);
    else bindEmbedded(bind, logger, deadLetterSink(deadLetters, clock, logger));
    if (database) bindDatabase(bind, database);
    else bindInMemoryAnalytics(bind);
    bind(TOKENS.CompletionModel).toConstantValue(
      config.aiProvider === 'openai'
        ? new OpenAiCompletionModel({
            ...(config.OPENAI_API_KEY ? { apiKey: config.OPENAI_API_KEY } : {}),
            ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
            defaultModel: config.OPENAI_MODEL,
            // OPENAI_TIMEOUT_MS bounds the whole call, retries included: that is what the lease check counts.
            timeoutMs: config.OPENAI_TIMEOUT_MS,
            callTimeoutMs: config.OPENAI_TIMEOUT_MS,
            clock,
            logger,
          })
        : new ScriptedCompletionModel(),
    );
    bind(TOKENS.TokenCounter).toConstantValue(new GptTokenCounter(config.OPENAI_MODEL));
    bind(TOKENS.Transcriber).toConstantValue(transcriberFor(config));
    bind(TOKENS.ReplyChannel).toConstantValue(new RoutingReplyChannel(replyChannels(config, logger)));
    // One authenticator per process: one Google certificate cache for both push endpoints.
    bind(TOKENS.PushAuthenticator).toConstantValue(pushAuthenticatorFor(config, pushCertificates));
    bind(TOKENS.ApiKeyVerifier)
      .toResolvedValue((store: ApiKeyStore, clock: Clock) => new StoredApiKeyVerifier(store, clock, config.BOOTSTRAP_API_KEY), [TOKENS.ApiKeyStore, TOKENS.Clock])
      .inSingletonScope();
  });
}

/** OIDC when configured, open only when PUSH_AUTH=none says so, else closed (config refuses that for push roles). */
function pushAuthenticatorFor(config: Config, certificates: CertificateSource | undefined): PushAuthenticator {
  if (config.PUSH_AUTH === 'none') return new AllowAllPushAuthenticator();
  if (config.PUSH_AUDIENCE && config.PUSH_SERVICE_ACCOUNT) {
    return new GoogleOidcPushAuthenticator({ audience: config.PUSH_AUDIENCE, serviceAccountEmail: config.PUSH_SERVICE_ACCOUNT, ...(certificates ? { certificates } : {}) });
  }
  return new RefusingPushAuthenticator();
}

/** The api role's database (PostgreSQL or embedded PGlite), opened and migrated before the container. */
function bindDatabase(bind: Bind, database: Database): void {
  bind(TOKENS.Database).toConstantValue(database);
  bind(TOKENS.AnalyticsStore).toConstantValue(new PostgresAnalyticsStore(database.orm));
  bind(TOKENS.ApiKeyStore).toConstantValue(new PostgresApiKeyStore(database.orm));
  bind(TOKENS.AdminDirectory).toConstantValue(new PostgresAdminDirectory(database.orm));
}

/** Roles without the api (and tests that build one without a database): facts and keys in memory. */
function bindInMemoryAnalytics(bind: Bind): void {
  bind(TOKENS.AnalyticsStore).toConstantValue(new InMemoryAnalyticsStore());
  bind(TOKENS.ApiKeyStore).toConstantValue(new InMemoryApiKeyStore());
  bind(TOKENS.AdminDirectory).toConstantValue(new InMemoryAdminDirectory());
}

/** PROJECT_ID: Pub/Sub and Firestore (the clients honour PUBSUB_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST). */
function bindGoogleCloud(bind: Bind, config: Config, projectId: string): void {
  const pubsub = createPubSub(projectId);
  bind(TOKENS.PubSub).toConstantValue(pubsub);
  bind(TOKENS.MessageBus).toConstantValue(
    new PubSubMessageBus(pubsub, { inbound: config.PUBSUB_TOPIC, interactions: config.PUBSUB_INTERACTIONS_TOPIC }),
  );
  bind(TOKENS.ChatStore).toConstantValue(new FirestoreChatStore(createFirestore(config.FIRESTORE_PROJECT ?? projectId), { retentionDays: config.CHAT_RETENTION_DAYS }));
}

/** ROLE=all without a project: the in-process bus and the in-memory chat store. */
function bindEmbedded(bind: Bind, logger: Logger, deadLettered: DeadLetterSink): void {
  bind(TOKENS.MessageBus).toConstantValue(
    new InMemoryMessageBus({
      // Redeliveries span more than a lease (60 s), so a message waiting for an earlier one of its
      // conversation outlives a stuck predecessor instead of being dead-lettered behind it.
      redeliveryDelayMs: 1_000,
      maxRedeliveryDelayMs: 10_000,
      maxDeliveryAttempts: 10,
      onNack: (topic, delivery, error) =>
        logger.warn('bus delivery nacked; will redeliver', { topic, messageId: delivery.messageId, attempt: delivery.deliveryAttempt, ...errorFields(error) }),
      onDeadLetter: (topic, delivery, error) => {
        logger.error('bus message dead-lettered after the last attempt', { topic, messageId: delivery.messageId, ...errorFields(error) });
        void deadLettered(topic, delivery);
      },
    }),
  );
  bind(TOKENS.ChatStore).toConstantValue(new InMemoryChatStore());
}

function transcriberFor(config: Config): Transcriber {
  if (!transcribesVoiceNotes(config) || !config.WHATSAPP_ACCESS_TOKEN) return new DisabledTranscriber();
  return new OpenAiTranscriber({
    media: new WhatsAppMediaDownloader({
      baseUrl: config.WHATSAPP_API_BASE_URL,
      apiVersion: config.WHATSAPP_API_VERSION,
      accessToken: config.WHATSAPP_ACCESS_TOKEN,
    }),
    ...(config.OPENAI_API_KEY ? { apiKey: config.OPENAI_API_KEY } : {}),
    ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
    model: config.TRANSCRIPTION_MODEL,
    timeoutMs: config.TRANSCRIPTION_TIMEOUT_MS,
  });
}

function replyChannels(config: Config, logger: Logger): { whatsapp: ReplyChannel; api: ReplyChannel } {
  return {
    whatsapp: config.WHATSAPP_ACCESS_TOKEN
      ? new WhatsAppGraphReplyChannel({
          baseUrl: config.WHATSAPP_API_BASE_URL,
          apiVersion: config.WHATSAPP_API_VERSION,
          accessToken: config.WHATSAPP_ACCESS_TOKEN,
          logger,
        })
      : new UnconfiguredReplyChannel('whatsapp_sending_not_configured'), // set WHATSAPP_ACCESS_TOKEN
    // Never the inbound API_WEBHOOK_SECRET: a callback replayed to /webhooks/api must not verify.
    api: config.API_CALLBACK_SECRET
      ? new WebhookReplyChannel({ secret: config.API_CALLBACK_SECRET, allowedHosts: new Set(config.CALLBACK_ALLOWED_HOSTS) })
      : new UnconfiguredReplyChannel('api_channel_not_configured'), // set API_CALLBACK_SECRET
  };
}
