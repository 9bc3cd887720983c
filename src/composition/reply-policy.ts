import { defaultModelOf, type Config } from '../config/config.js';
import { DEFAULT_PRICES } from '../config/prices.js';
import { DEFAULT_LEASE_MARGIN_MS } from '../domain/use-cases/lease-budget.js';
import type { ReplyPolicy } from '../domain/use-cases/reply-to-message.js';

/** WhatsApp's limit on `text.body` (characters). */
const WHATSAPP_MAX_TEXT = 4096;

/** The worker's reply policy from the configuration. */
export function replyPolicyOf(config: Config): ReplyPolicy {
  return {
    systemPrompt: config.SYSTEM_PROMPT,
    model: defaultModelOf(config),
    providerModels: { openai: config.OPENAI_MODEL, vertex: config.VERTEX_MODEL },
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
    handoffText: config.HANDOFF_TEXT,
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
