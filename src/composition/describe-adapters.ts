import type { Container } from 'inversify';
import { RoutingReplyChannel } from '../adapters/memory/routing-reply-channel.js';
import { TOKENS } from './tokens.js';

export type AdapterReport = Record<string, string>;

const nameOf = (value: unknown): string => (value as object).constructor.name;

/** The class behind every port, for the start-up log (nobody should mistake a fake for the real thing). */
export function describeAdapters(container: Container): AdapterReport {
  const replyChannel = container.get(TOKENS.ReplyChannel);
  const channels =
    replyChannel instanceof RoutingReplyChannel
      ? Object.fromEntries(Object.entries(replyChannel.routes).map(([channel, adapter]) => [`replyChannel.${channel}`, nameOf(adapter)]))
      : { replyChannel: nameOf(replyChannel) };
  return {
    messageBus: nameOf(container.get(TOKENS.MessageBus)),
    chatStore: nameOf(container.get(TOKENS.ChatStore)),
    completionModel: nameOf(container.get(TOKENS.CompletionModel)),
    transcriber: nameOf(container.get(TOKENS.Transcriber)),
    tokenCounter: nameOf(container.get(TOKENS.TokenCounter)),
    analyticsStore: nameOf(container.get(TOKENS.AnalyticsStore)),
    apiKeys: nameOf(container.get(TOKENS.ApiKeyStore)),
    adminDirectory: nameOf(container.get(TOKENS.AdminDirectory)),
    deadLetters: nameOf(container.get(TOKENS.DeadLetterStore)),
    pushAuth: nameOf(container.get(TOKENS.PushAuthenticator)),
    clock: nameOf(container.get(TOKENS.Clock)),
    ...channels,
  };
}
