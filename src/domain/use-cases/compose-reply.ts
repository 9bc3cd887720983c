import type { InboundMessage } from '../model/message.js';
import { canaryFor, leaks, withCanary } from '../model/output-guard.js';
import { costOf, type Reply } from '../model/reply.js';
import type { ChatStore } from '../ports/chat-store.js';
import type { Clock } from '../ports/clock.js';
import type { CompletionModel } from '../ports/completion-model.js';
import type { TokenCounter } from '../ports/token-counter.js';
import { buildTurns } from './build-turns.js';
import type { ChannelSettingsCache } from './channel-settings-cache.js';
import type { ReplyPolicy } from './reply-to-message.js';

/** What a channel's replies use: its own settings over the configured defaults. */
export interface EffectiveSettings {
  systemPrompt: string;
  model?: string;
  temperature?: number;
  maxTokens: number;
  historyMessages: number;
  historyTokenBudget: number;
  fallbackText: string;
  mediaReplyText: string;
  ratePerMinute: number;
  dailySpendCapUsd: number;
  limitReplyText: string;
}

export async function effectiveSettings(policy: ReplyPolicy, cache: ChannelSettingsCache, accountId: string): Promise<EffectiveSettings> {
  const own = await cache.get(accountId);
  const model = own?.model ?? policy.model;
  const temperature = own?.temperature ?? policy.temperature;
  return {
    systemPrompt: own?.systemPrompt ?? policy.systemPrompt,
    ...(model ? { model } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    maxTokens: own?.maxReplyTokens ?? policy.maxTokens,
    historyMessages: own?.historyMessages ?? policy.historyMessages,
    historyTokenBudget: own?.historyTokenBudget ?? policy.historyTokenBudget,
    fallbackText: own?.fallbackText ?? policy.fallbackText,
    mediaReplyText: own?.mediaReplyText ?? policy.mediaReplyText,
    ratePerMinute: own?.ratePerMinute ?? policy.ratePerMinute,
    dailySpendCapUsd: own?.dailySpendCapUsd ?? policy.dailySpendCapUsd,
    limitReplyText: own?.limitReplyText ?? policy.limitReplyText,
  };
}

export type Composition = { kind: 'answer'; reply: Reply } | { kind: 'blocked'; reply: Reply };

/**
 * History → prompt within the token budget → completion → output guard → cost. A reply that
 * repeats the channel's prompt canary or a configured secret is replaced by the fallback text.
 */
export class ComposeReply {
  constructor(
    private readonly store: ChatStore,
    private readonly model: CompletionModel,
    private readonly tokens: TokenCounter,
    private readonly clock: Clock,
    private readonly policy: ReplyPolicy,
  ) {}

  /** `timeoutMs`: what remains of the delivery's lease for the model call, retries included. */
  async compose(message: InboundMessage, prompts: readonly string[], settings: EffectiveSettings, timeoutMs: number): Promise<Composition> {
    const history = await this.store.history(message.conversationId, { before: message.receivedAt, limit: settings.historyMessages });
    const canary = canaryFor(message.accountId, settings.systemPrompt);
    const systemPrompt = withCanary(settings.systemPrompt, canary);
    const completion = await this.model.complete(
      {
        systemPrompt,
        turns: buildTurns(history, prompts, { tokens: settings.historyTokenBudget, systemPrompt, counter: this.tokens }),
        maxTokens: settings.maxTokens,
        ...(settings.model ? { model: settings.model } : {}),
        ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
      },
      // The model must answer within the lease, or another delivery takes the message over.
      { timeoutMs },
    );
    const at = this.clock.now();
    const blocked = leaks(completion.text, canary, this.policy.blockedStrings);
    const reply: Reply = {
      text: blocked ? settings.fallbackText : completion.text,
      kind: blocked ? 'fallback' : 'ai',
      model: completion.model,
      usage: completion.usage,
      costUsd: costOf(completion.usage, this.policy.prices[completion.model]),
      latencyMs: at - message.receivedAt,
      createdAt: at,
    };
    return { kind: blocked ? 'blocked' : 'answer', reply };
  }
}
