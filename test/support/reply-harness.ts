import { GptTokenCounter } from '../../src/adapters/openai/gpt-token-counter.js';
import { InMemoryChatStore } from '../../src/adapters/memory/in-memory-chat-store.js';
import { InMemoryMessageBus } from '../../src/adapters/memory/in-memory-message-bus.js';
import { SCRIPTED_MODEL_NAME, ScriptedCompletionModel } from '../../src/adapters/scripted/scripted-completion-model.js';
import type { InteractionEvent } from '../../src/domain/model/interaction.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import type { MessageRecord } from '../../src/domain/model/message-record.js';
import { ReplyToMessage, type ReplyPolicy } from '../../src/domain/use-cases/reply-to-message.js';
import { aMessage } from './builders.js';
import { FixedClock } from './fixed-clock.js';
import { RecordingReplyChannel } from './recording-reply-channel.js';
import { ScriptedTranscriber } from './scripted-transcriber.js';
import type { ReplyFact } from '../../src/domain/ports/reply-metrics.js';
import type { TokenCounter } from '../../src/domain/ports/token-counter.js';

export const TEST_POLICY: ReplyPolicy = {
  systemPrompt: 'SYSTEM: you are the test assistant',
  maxTokens: 256,
  historyMessages: 10,
  leaseMs: 30_000,
  maxAttempts: 3,
  maxSendAttempts: 3,
  fallbackText: 'Sorry, we could not answer right now.',
  mediaReplyText: 'I can only read text for now.',
  prices: { [SCRIPTED_MODEL_NAME]: { prompt: 1, completion: 2 } },
  maxPartLength: { whatsapp: 4096, api: 65_536 },
  historyTokenBudget: 100_000,
  blockedStrings: [],
  settingsTtlMs: 0,
  coalesceWindowMs: 0,
  ratePerMinute: 0,
  dailySpendCapUsd: 0,
  limitReplyText: 'Please slow down a little.',
};

/** The tokenizer the worker uses for OpenAI's current models (stateless: one for every test). */
const TOKENS_4O_MINI = GptTokenCounter.forModel('gpt-4o-mini');
export const testTokens = () => TOKENS_4O_MINI;

/**
 * ReplyToMessage wired to the in-memory chat store and bus, the scripted model, a recording reply
 * channel and a hand-moved clock, with every published interaction event collected.
 */
export function replyHarness(policy: Partial<ReplyPolicy> = {}, tokens: TokenCounter = testTokens()) {
  const store = new InMemoryChatStore();
  const model = new ScriptedCompletionModel();
  const channel = new RecordingReplyChannel();
  const bus = new InMemoryMessageBus({ redeliveryDelayMs: 5 });
  const clock = new FixedClock();
  const transcriber = new ScriptedTranscriber();
  const interactions: InteractionEvent[] = [];
  bus.subscribe('interactions', async ({ event }) => {
    interactions.push(event);
  });
  const fullPolicy = { ...TEST_POLICY, ...policy };
  const replyFacts: ReplyFact[] = [];
  const metrics = { replyRecorded: (fact: ReplyFact) => replyFacts.push(fact) };
  const useCase = new ReplyToMessage(store, model, channel, bus, clock, fullPolicy, tokens, transcriber, metrics);

  return {
    store,
    model,
    transcriber,
    channel,
    bus,
    clock,
    policy: fullPolicy,
    useCase,
    interactions,
    /** What the use case reported to its ReplyMetrics. */
    replyFacts,
    /** A message received now (by the harness clock), in a fresh conversation unless one is given. */
    message(overrides: Parameters<typeof aMessage>[0] = {}): InboundMessage {
      return aMessage({ receivedAt: clock.now(), sentAt: clock.now() - 500, ...overrides });
    },
    /** The stored record of a message (read without registering it). */
    async stored(message: InboundMessage): Promise<MessageRecord | undefined> {
      const records = await store.messages(message.conversationId, { limit: 1000 });
      return records.find((record) => record.message.id === message.id);
    },
    /** Every interaction event published so far, once the bus has delivered them. */
    async published(): Promise<InteractionEvent[]> {
      await bus.idle();
      return interactions;
    },
  };
}

export type ReplyHarness = ReturnType<typeof replyHarness>;
