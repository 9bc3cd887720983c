import { RoutingReplyChannel } from '../adapters/routing/routing-reply-channel.js';
import { ProviderRoutingCompletionModel } from '../adapters/routing/provider-routing-completion-model.js';
import { TOKENS, type Token } from './tokens.js';
import type { Wiring } from './wiring.js';

export type AdapterReport = Record<string, string>;

const nameOf = (value: unknown): string => (value as object).constructor.name;

/** The ports reported, in the order of the start-up log line. */
const REPORTED: Readonly<Record<string, Token>> = {
  messageBus: TOKENS.MessageBus,
  chatStore: TOKENS.ChatStore,
  completionModel: TOKENS.CompletionModel,
  transcriber: TOKENS.Transcriber,
  tokenCounter: TOKENS.TokenCounter,
  analyticsStore: TOKENS.AnalyticsStore,
  apiKeys: TOKENS.ApiKeyStore,
  adminDirectory: TOKENS.AdminDirectory,
  deadLetters: TOKENS.DeadLetterStore,
  pushAuth: TOKENS.PushAuthenticator,
  clock: TOKENS.Clock,
};

/**
 * The class behind every port the role binds, for the start-up log (nobody should mistake a fake
 * for the real thing). A port the role does not use is not bound, so not listed.
 */
export function describeAdapters(wiring: Wiring): AdapterReport {
  const report: AdapterReport = {};
  for (const [name, token] of Object.entries(REPORTED)) if (wiring.has(token)) report[name] = nameOf(wiring.get(token));
  const model = wiring.has(TOKENS.CompletionModel) ? wiring.get(TOKENS.CompletionModel) : undefined;
  // The configured model by its class, and the providers channels may choose besides it.
  if (model instanceof ProviderRoutingCompletionModel) Object.assign(report, { completionModel: nameOf(model.configured), 'completionModel.perChannel': model.perChannel.join(', ') });
  if (!wiring.has(TOKENS.ReplyChannel)) return report;
  const replyChannel = wiring.get(TOKENS.ReplyChannel);
  const channels =
    replyChannel instanceof RoutingReplyChannel
      ? Object.fromEntries(Object.entries(replyChannel.routes).map(([channel, adapter]) => [`replyChannel.${channel}`, nameOf(adapter)]))
      : { replyChannel: nameOf(replyChannel) };
  return { ...report, ...channels };
}
