import type { InboundMessage } from '../model/message.js';
import { canaryFor, leaks, withCanary } from '../model/output-guard.js';
import { costOf, type Reply } from '../model/reply.js';
import type { MessageLog } from '../ports/message-log.js';
import type { SpendLedger, SpendSettlement } from '../ports/spend-ledger.js';
import type { AgentReplyLog } from '../ports/agent-reply-log.js';
import type { Clock } from '../ports/clock.js';
import { CompletionError, type Completion, type CompletionModel, type CompletionRequest, type ToolSpec } from '../ports/completion-model.js';
import { callsOf, type ChannelTool, type ToolRound } from '../model/tool-call.js';
import type { LeaseBudget } from './lease-budget.js';
import { abandonedSettled, madeRound, plannedRound, TOOL_ROUNDS_MAX, toolSpecsOf, toolTurns, type ToolKit, type ToolLedger } from './tool-rounds.js';
import type { TokenCounter } from '../ports/token-counter.js';
import type { MessageRecord } from '../model/message-record.js';
import { buildTurns, TOKENS_PER_TURN } from './build-turns.js';
import type { ChannelSettingsCache } from './channel-settings-cache.js';
import { historyWithin } from './conversation-turn.js';
import { utcDay } from './reply-limits.js';
import type { ReplyPolicy } from './reply-to-message.js';
import type { ChannelProvider } from '../model/channel-settings.js';

const DEFAULT_HANDOFF_TEXT = 'I have asked a person from our team to take over. They will answer you here shortly.';

/** Agent replies read for one prompt's history at most (those of the history's messages). */
const AGENT_REPLIES_READ = 200;

/** What a channel's replies use: its own settings over the configured defaults. */
export interface EffectiveSettings {
  systemPrompt: string;
  model?: string;
  /** The provider the channel chose, when it chose one. */
  provider?: ChannelProvider;
  temperature?: number;
  maxTokens: number;
  historyMessages: number;
  historyTokenBudget: number;
  fallbackText: string;
  mediaReplyText: string;
  ratePerMinute: number;
  dailySpendCapUsd: number;
  limitReplyText: string;
  /** Asking for a person: trigger phrases, the `request_human` tool, what the user is told, who is notified. */
  handoff: { triggers: string[]; tool: boolean; text: string; notifyUrl?: string };
  /** HTTP tools the model may call (none unless the channel lists some). */
  tools: ChannelTool[];
}

export async function effectiveSettings(policy: ReplyPolicy, cache: ChannelSettingsCache, accountId: string): Promise<EffectiveSettings> {
  const own = await cache.get(accountId);
  // A channel that chose its provider gets that provider's default model unless it names one.
  const model = own?.model ?? (own?.provider ? policy.providerModels?.[own.provider] : policy.model);
  const temperature = own?.temperature ?? policy.temperature;
  return {
    systemPrompt: own?.systemPrompt ?? policy.systemPrompt,
    ...(model ? { model } : {}),
    ...(own?.provider ? { provider: own.provider } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    maxTokens: own?.maxReplyTokens ?? policy.maxTokens,
    historyMessages: own?.historyMessages ?? policy.historyMessages,
    historyTokenBudget: own?.historyTokenBudget ?? policy.historyTokenBudget,
    fallbackText: own?.fallbackText ?? policy.fallbackText,
    mediaReplyText: own?.mediaReplyText ?? policy.mediaReplyText,
    ratePerMinute: own?.ratePerMinute ?? policy.ratePerMinute,
    dailySpendCapUsd: own?.dailySpendCapUsd ?? policy.dailySpendCapUsd,
    limitReplyText: own?.limitReplyText ?? policy.limitReplyText,
    handoff: {
      triggers: own?.handoff?.triggers ?? [],
      tool: own?.handoff?.tool ?? false,
      text: own?.handoff?.text ?? policy.handoffText ?? DEFAULT_HANDOFF_TEXT,
      ...(own?.handoff?.notifyUrl ? { notifyUrl: own.handoff.notifyUrl } : {}),
    },
    tools: own?.tools ?? [],
  };
}

/**
 * `capped`: the generation's estimated cost does not fit under the channel's daily cap, so the
 * model was not called. Otherwise `spendDay` is the day the estimate was reserved on: `settle`
 * turns it into the real cost there.
 */
export type Composition = { kind: 'answer' | 'blocked' | 'handoff'; reply: Reply; spendDay: string } | { kind: 'capped' };

/** The built-in tool a channel may offer the model (`handoff.tool`): the user is handed to a person. */
export const REQUEST_HUMAN_TOOL: ToolSpec = {
  name: 'request_human',
  description: 'Hand this conversation to a person on the team. Call it when the user asks for a human, or when you cannot help and a person should.',
  parameters: { type: 'object', properties: { reason: { type: 'string', description: 'Why a person is needed, in a few words' } }, additionalProperties: false },
};

/**
 * History → prompt within the token budget → completion → output guard → cost. A reply that
 * repeats the channel's prompt canary or a configured secret is replaced by the fallback text.
 */
export class ComposeReply {
  constructor(
    private readonly store: MessageLog & SpendLedger & AgentReplyLog,
    private readonly model: CompletionModel,
    private readonly tokens: TokenCounter,
    private readonly clock: Clock,
    private readonly policy: ReplyPolicy,
    private readonly tools?: ToolKit,
  ) {}

  /**
   * `budget`: what remains of the delivery's lease for the model calls and tool calls, retries
   * included. `recent`: the conversation's newest messages as just read, which may hold the whole
   * history (then it is not read again). `ledger`: where the reply's tool rounds are stored (a
   * channel's tools are offered only with one).
   */
  async compose(
    message: InboundMessage,
    prompts: readonly string[],
    settings: EffectiveSettings,
    budget: LeaseBudget,
    recent: readonly MessageRecord[] = [],
    handedOff = false,
    ledger?: ToolLedger,
  ): Promise<Composition> {
    const history =
      (recent.length > 0 ? historyWithin(recent, message.receivedAt, settings.historyMessages) : undefined) ??
      (await this.store.history(message.conversationId, { before: message.receivedAt, limit: settings.historyMessages }));
    // What people wrote while they had the conversation: read only where there can be some.
    const agentReplies = handedOff && history.length > 0 ? await this.store.agentReplies(message.conversationId, { from: history[0]!.message.receivedAt, limit: AGENT_REPLIES_READ }) : [];
    const canary = canaryFor(message.accountId, settings.systemPrompt);
    const systemPrompt = withCanary(settings.systemPrompt, canary);
    const request: CompletionRequest = {
      systemPrompt,
      turns: buildTurns(history, prompts, { tokens: settings.historyTokenBudget, systemPrompt, counter: this.tokens }, agentReplies),
      maxTokens: settings.maxTokens,
      ...(settings.model ? { model: settings.model } : {}),
      ...(settings.provider ? { provider: settings.provider } : {}),
      ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    };
    // Reserved before the call, so concurrent generations cannot all pass a cap only some fit under.
    const day = utcDay(this.clock.now());
    if (settings.dailySpendCapUsd > 0 && !(await this.reserve(message, request, settings, day))) return { kind: 'capped' };
    let completion: Completion;
    let rounds: readonly ToolRound[];
    try {
      ({ completion, rounds } = await this.complete(message, request, settings, budget, ledger));
    } catch (error) {
      if (settings.dailySpendCapUsd > 0) await this.store.settleSpend(message.accountId, day, message.id, 0);
      throw error;
    }
    const at = this.clock.now();
    // Every completion of the reply is paid for: the tool rounds' (earlier deliveries' too) and the last.
    const spent = [...rounds.map(({ model, usage }) => ({ model, usage })), completion];
    const usage = spent.reduce((sum, part) => ({ prompt: sum.prompt + part.usage.prompt, completion: sum.completion + part.usage.completion }), { prompt: 0, completion: 0 });
    const costUsd = spent.reduce((sum, part) => sum + costOf(part.usage, this.policy.prices[part.model]), 0);
    const cost = { model: completion.model, usage, costUsd, latencyMs: at - message.receivedAt, createdAt: at };
    if (settings.handoff.tool && completion.toolCalls?.some((call) => call.name === REQUEST_HUMAN_TOOL.name)) {
      return { kind: 'handoff', reply: { text: settings.handoff.text, kind: 'handoff', ...cost }, spendDay: day };
    }
    if (!completion.text.trim()) throw new CompletionError('the model answered with neither text nor a tool it was offered', false, { reason: 'empty_completion' });
    const blocked = leaks(completion.text, canary, this.policy.blockedStrings);
    const reply: Reply = { text: blocked ? settings.fallbackText : completion.text, kind: blocked ? 'fallback' : 'ai', ...cost };
    return { kind: blocked ? 'blocked' : 'answer', reply, spendDay: day };
  }

  /**
   * The model's answer, after the tool rounds it asked for: each round's calls are stored before
   * they are made, and their outcomes before the model sees them, so a redelivery replays what is
   * stored and never makes a call twice. After TOOL_ROUNDS_MAX rounds the model answers without tools.
   */
  private async complete(
    message: InboundMessage,
    request: CompletionRequest,
    settings: EffectiveSettings,
    budget: LeaseBudget,
    ledger: ToolLedger | undefined,
  ): Promise<{ completion: Completion; rounds: readonly ToolRound[] }> {
    const tools = ledger && this.tools ? settings.tools : [];
    let rounds: readonly ToolRound[] = ledger?.rounds ?? [];
    const abandoned = abandonedSettled(rounds);
    if (abandoned) {
      await ledger!.save(abandoned);
      rounds = abandoned;
    }
    for (;;) {
      const offered = [...(rounds.length < TOOL_ROUNDS_MAX ? toolSpecsOf(tools) : []), ...(settings.handoff.tool ? [REQUEST_HUMAN_TOOL] : [])];
      const turns = [...request.turns, ...toolTurns(rounds)];
      // The model must answer within the lease, or another delivery takes the message over.
      const completion = await this.model.complete({ ...request, turns, ...(offered.length > 0 ? { tools: offered } : {}) }, { timeoutMs: budget.remainingMs() });
      const calls = (completion.toolCalls ?? []).filter((call) => call.name !== REQUEST_HUMAN_TOOL.name);
      const handoff = settings.handoff.tool && calls.length < (completion.toolCalls?.length ?? 0);
      if (handoff || calls.length === 0 || tools.length === 0 || rounds.length >= TOOL_ROUNDS_MAX) return { completion, rounds };
      const ids = { conversationId: message.conversationId, messageId: message.id, earlier: callsOf(rounds).length };
      const planned = plannedRound(completion, calls, tools, this.tools!.schemas, ids, this.clock.now());
      // Recorded before any request leaves, answered before the model sees the answers.
      await ledger!.save([...rounds, planned]);
      const made = await madeRound(this.tools!.runner, planned, tools, message.conversationId, budget, this.clock);
      rounds = [...rounds, made];
      await ledger!.save([...rounds]);
    }
  }

  /**
   * The reservation replaced by the real cost, written with the transition that stores the reply:
   * it counts exactly when the reply is stored (a store failure before that leaves the generation
   * repeatable, its reservation running out with the lease).
   */
  settlementOf(message: InboundMessage, composed: Exclude<Composition, { kind: 'capped' }>): SpendSettlement {
    return { accountId: message.accountId, day: composed.spendDay, key: message.id, usd: composed.reply.costUsd };
  }

  /** The generation's estimated cost held against the day's cap until its real cost is settled. */
  private reserve(message: InboundMessage, request: CompletionRequest, settings: EffectiveSettings, day: string): Promise<boolean> {
    const price = this.policy.prices[settings.model ?? this.policy.model ?? ''];
    const estimate = costOf({ prompt: this.promptTokens(request), completion: settings.maxTokens }, price);
    const until = this.clock.now() + this.policy.leaseMs;
    return this.store.reserveSpend(message.accountId, day, { key: message.id, usd: estimate, until }, settings.dailySpendCapUsd, this.clock.now());
  }

  /** The request's prompt as the model family counts it (system prompt, turns, their framing). */
  private promptTokens(request: CompletionRequest): number {
    return [request.systemPrompt, ...request.turns.map((turn) => turn.content)].reduce((sum, text) => sum + this.tokens.count(text) + TOKENS_PER_TURN, 0);
  }
}
