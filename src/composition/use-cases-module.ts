import { ContainerModule } from 'inversify';
import type { ReplyPolicy } from '../domain/use-cases/reply-to-message.js';
import { AcceptApiMessage } from '../domain/use-cases/accept-api-message.js';
import { AcceptWhatsAppNotification } from '../domain/use-cases/accept-whatsapp-notification.js';
import { ApplyDeliveryStatus } from '../domain/use-cases/apply-delivery-status.js';
import { GetTranscript } from '../domain/use-cases/get-transcript.js';
import { EraseParticipant } from '../domain/use-cases/erase-participant.js';
import { ApplyRetention } from '../domain/use-cases/apply-retention.js';
import { ListDeadLetters } from '../domain/use-cases/list-dead-letters.js';
import { ReplayDeadLetter } from '../domain/use-cases/replay-dead-letter.js';
import { HandleInboundEvent } from '../domain/use-cases/handle-inbound-event.js';
import { QueryAnalytics } from '../domain/use-cases/query-analytics.js';
import { RecordInteraction } from '../domain/use-cases/record-interaction.js';
import { ReplyToMessage } from '../domain/use-cases/reply-to-message.js';
import type { Config } from '../config/config.js';
import { DEFAULT_PRICES } from '../config/prices.js';
import { DEFAULT_LEASE_MARGIN_MS } from '../domain/use-cases/lease-budget.js';
import type { TokenCounter } from '../domain/ports/token-counter.js';
import type { Transcriber } from '../domain/ports/transcriber.js';
import type { AnalyticsStore } from '../domain/ports/analytics-store.js';
import type { ChatStore } from '../domain/ports/chat-store.js';
import type { Clock } from '../domain/ports/clock.js';
import type { CompletionModel } from '../domain/ports/completion-model.js';
import type { DeadLetterStore } from '../domain/ports/dead-letter-store.js';
import type { MessageBus } from '../domain/ports/message-bus.js';
import type { ReplyChannel } from '../domain/ports/reply-channel.js';
import type { Metrics } from '../observability/metrics.js';
import { MeteredCompletionModel } from '../observability/metered-completion-model.js';
import { TOKENS } from './tokens.js';

/** Rows one retention statement deletes: a few milliseconds of locks, so ingestion never waits long. */
const RETENTION_BATCH_ROWS = 500;

/** WhatsApp's limit on `text.body` (characters). */
const WHATSAPP_MAX_TEXT = 4096;

export function replyPolicyOf(config: Config): ReplyPolicy {
  return {
    systemPrompt: config.SYSTEM_PROMPT,
    model: config.aiProvider === 'openai' ? config.OPENAI_MODEL : undefined,
    maxTokens: 512,
    historyMessages: 20,
    leaseMs: config.REPLY_LEASE_MS,
    leaseMarginMs: DEFAULT_LEASE_MARGIN_MS,
    maxAttempts: 3,
    maxSendAttempts: 5,
    // A Graph API outage of a few minutes must not fail the replies it held up.
    sendRetryWindowMs: 10 * 60_000,
    fallbackText: config.FALLBACK_TEXT,
    mediaReplyText: config.MEDIA_REPLY_TEXT,
    prices: { ...DEFAULT_PRICES, ...config.MODEL_PRICES },
    maxPartLength: { whatsapp: WHATSAPP_MAX_TEXT, api: 65_536 },
    historyTokenBudget: config.HISTORY_TOKEN_BUDGET,
    settingsTtlMs: 30_000,
    coalesceWindowMs: config.COALESCE_WINDOW_MS,
    ratePerMinute: config.RATE_LIMIT_PER_MINUTE,
    dailySpendCapUsd: config.DAILY_SPEND_CAP_USD,
    limitReplyText: config.LIMIT_REPLY_TEXT,
    // A reply must never carry one of our own secrets.
    blockedStrings: [
      config.OPENAI_API_KEY,
      config.WHATSAPP_ACCESS_TOKEN,
      config.WHATSAPP_APP_SECRET,
      config.WHATSAPP_VERIFY_TOKEN,
      config.API_WEBHOOK_SECRET,
      config.API_CALLBACK_SECRET,
      config.BOOTSTRAP_API_KEY,
      config.ADMIN_PASSWORD,
    ].filter((value): value is string => Boolean(value)),
  };
}

/** The use cases: plain classes, bound with factories so the core stays decorator-free. */
export const useCasesModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.ReplyPolicy)
    .toResolvedValue((config: Config) => replyPolicyOf(config), [TOKENS.Config])
    .inSingletonScope();
  bind(TOKENS.AcceptWhatsAppNotification).toResolvedValue((bus: MessageBus) => new AcceptWhatsAppNotification(bus), [TOKENS.MessageBus]).inSingletonScope();
  bind(TOKENS.AcceptApiMessage).toResolvedValue((bus: MessageBus, clock: Clock) => new AcceptApiMessage(bus, clock), [TOKENS.MessageBus, TOKENS.Clock]).inSingletonScope();
  bind(TOKENS.ReplyToMessage)
    .toResolvedValue(
      (
        store: ChatStore,
        model: CompletionModel,
        channel: ReplyChannel,
        bus: MessageBus,
        clock: Clock,
        policy: ReplyPolicy,
        tokens: TokenCounter,
        transcriber: Transcriber,
        metrics: Metrics,
      ) =>
        // The model is wrapped only when metrics are on: the off path calls it directly.
        new ReplyToMessage(store, metrics.enabled ? new MeteredCompletionModel(model, metrics) : model, channel, bus, clock, policy, tokens, transcriber, metrics),
      [
        TOKENS.ChatStore,
        TOKENS.CompletionModel,
        TOKENS.ReplyChannel,
        TOKENS.MessageBus,
        TOKENS.Clock,
        TOKENS.ReplyPolicy,
        TOKENS.TokenCounter,
        TOKENS.Transcriber,
        TOKENS.Metrics,
      ],
    )
    .inSingletonScope();
  bind(TOKENS.ApplyDeliveryStatus)
    .toResolvedValue(
      (store: ChatStore, bus: MessageBus, channel: ReplyChannel, clock: Clock) => new ApplyDeliveryStatus(store, bus, channel, clock),
      [TOKENS.ChatStore, TOKENS.MessageBus, TOKENS.ReplyChannel, TOKENS.Clock],
    )
    .inSingletonScope();
  bind(TOKENS.HandleInboundEvent)
    .toResolvedValue((reply: ReplyToMessage, status: ApplyDeliveryStatus) => new HandleInboundEvent(reply, status), [TOKENS.ReplyToMessage, TOKENS.ApplyDeliveryStatus])
    .inSingletonScope();
  bind(TOKENS.RecordInteraction).toResolvedValue((analytics: AnalyticsStore) => new RecordInteraction(analytics), [TOKENS.AnalyticsStore]).inSingletonScope();
  bind(TOKENS.QueryAnalytics).toResolvedValue((analytics: AnalyticsStore) => new QueryAnalytics(analytics), [TOKENS.AnalyticsStore]).inSingletonScope();
  bind(TOKENS.EraseParticipant)
    .toResolvedValue(
      (store: ChatStore, analytics: AnalyticsStore, clock: Clock, deadLetters: DeadLetterStore) => new EraseParticipant(store, analytics, clock, deadLetters),
      [TOKENS.ChatStore, TOKENS.AnalyticsStore, TOKENS.Clock, TOKENS.DeadLetterStore],
    )
    .inSingletonScope();
  bind(TOKENS.ReplayDeadLetter)
    .toResolvedValue((deadLetters: DeadLetterStore, bus: MessageBus, clock: Clock) => new ReplayDeadLetter(deadLetters, bus, clock), [TOKENS.DeadLetterStore, TOKENS.MessageBus, TOKENS.Clock])
    .inSingletonScope();
  bind(TOKENS.ListDeadLetters).toResolvedValue((deadLetters: DeadLetterStore) => new ListDeadLetters(deadLetters), [TOKENS.DeadLetterStore]).inSingletonScope();
  bind(TOKENS.ApplyRetention)
    .toResolvedValue(
      (deadLetters: DeadLetterStore, analytics: AnalyticsStore, clock: Clock, config: Config) =>
        new ApplyRetention(deadLetters, analytics, clock, {
          deadLetterDays: config.DEAD_LETTER_RETENTION_DAYS,
          analyticsDays: config.ANALYTICS_RETENTION_DAYS,
          batchSize: RETENTION_BATCH_ROWS,
        }),
      [TOKENS.DeadLetterStore, TOKENS.AnalyticsStore, TOKENS.Clock, TOKENS.Config],
    )
    .inSingletonScope();
  bind(TOKENS.GetTranscript).toResolvedValue((store: ChatStore) => new GetTranscript(store), [TOKENS.ChatStore]).inSingletonScope();
});
