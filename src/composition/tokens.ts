import type { PubSub } from '@google-cloud/pubsub';
import type { Database } from '../adapters/postgres/database.js';
import type { Config } from '../config/config.js';
import type { AdminDirectory } from '../domain/ports/admin-directory.js';
import type { AnalyticsStore } from '../domain/ports/analytics-store.js';
import type { ApiKeyStore } from '../domain/ports/api-key-store.js';
import type { ChatStore } from '../domain/ports/chat-store.js';
import type { Clock } from '../domain/ports/clock.js';
import type { CompletionModel } from '../domain/ports/completion-model.js';
import type { DeadLetterStore } from '../domain/ports/dead-letter-store.js';
import type { MessageBus } from '../domain/ports/message-bus.js';
import type { ReplyChannel } from '../domain/ports/reply-channel.js';
import type { TokenCounter } from '../domain/ports/token-counter.js';
import type { Transcriber } from '../domain/ports/transcriber.js';
import type { TranscriptExpiry } from '../domain/ports/transcript-expiry.js';
import type { AcceptApiMessage } from '../domain/use-cases/accept-api-message.js';
import type { AcceptWhatsAppNotification } from '../domain/use-cases/accept-whatsapp-notification.js';
import type { ApplyDeliveryStatus } from '../domain/use-cases/apply-delivery-status.js';
import type { ApplyRetention } from '../domain/use-cases/apply-retention.js';
import type { EraseParticipant } from '../domain/use-cases/erase-participant.js';
import type { GetTranscript } from '../domain/use-cases/get-transcript.js';
import type { ChangeHandoff } from '../domain/use-cases/change-handoff.js';
import type { HandoffNotifier } from '../domain/ports/handoff-notifier.js';
import type { ToolKit } from '../domain/use-cases/tool-rounds.js';
import type { AcceptAgentReply } from '../domain/use-cases/accept-agent-reply.js';
import type { HandleInboundEvent } from '../domain/use-cases/handle-inbound-event.js';
import type { ListDeadLetters } from '../domain/use-cases/list-dead-letters.js';
import type { QueryAnalytics } from '../domain/use-cases/query-analytics.js';
import type { RecordInteraction } from '../domain/use-cases/record-interaction.js';
import type { ReplayDeadLetter } from '../domain/use-cases/replay-dead-letter.js';
import type { ReplyPolicy, ReplyToMessage } from '../domain/use-cases/reply-to-message.js';
import type { ApiKeyVerifier } from '../http/auth/api-keys.js';
import type { PushAuthenticator } from '../http/auth/push-oidc.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';

// Each token is a `const` of its own so that its type is a `unique symbol`: only then can it key
// the Registry below, and an object literal `{ [TOKENS.Clock]: … }` be checked against it.
const configToken = Symbol.for('Config');
const loggerToken = Symbol.for('Logger');
const clockToken = Symbol.for('Clock');
const metricsToken = Symbol.for('Metrics');
const messageBusToken = Symbol.for('MessageBus');
const pubSubToken = Symbol.for('PubSub');
const chatStoreToken = Symbol.for('ChatStore');
const transcriptExpiryToken = Symbol.for('TranscriptExpiry');
const completionModelToken = Symbol.for('CompletionModel');
const tokenCounterToken = Symbol.for('TokenCounter');
const transcriberToken = Symbol.for('Transcriber');
const replyChannelToken = Symbol.for('ReplyChannel');
const analyticsStoreToken = Symbol.for('AnalyticsStore');
const apiKeyStoreToken = Symbol.for('ApiKeyStore');
const apiKeyVerifierToken = Symbol.for('ApiKeyVerifier');
const databaseToken = Symbol.for('Database');
const adminDirectoryToken = Symbol.for('AdminDirectory');
const deadLetterStoreToken = Symbol.for('DeadLetterStore');
const pushAuthenticatorToken = Symbol.for('PushAuthenticator');
const replyPolicyToken = Symbol.for('ReplyPolicy');
const acceptWhatsAppNotificationToken = Symbol.for('AcceptWhatsAppNotification');
const acceptApiMessageToken = Symbol.for('AcceptApiMessage');
const replyToMessageToken = Symbol.for('ReplyToMessage');
const applyDeliveryStatusToken = Symbol.for('ApplyDeliveryStatus');
const handleInboundEventToken = Symbol.for('HandleInboundEvent');
const recordInteractionToken = Symbol.for('RecordInteraction');
const queryAnalyticsToken = Symbol.for('QueryAnalytics');
const getTranscriptToken = Symbol.for('GetTranscript');
const eraseParticipantToken = Symbol.for('EraseParticipant');
const replayDeadLetterToken = Symbol.for('ReplayDeadLetter');
const listDeadLettersToken = Symbol.for('ListDeadLetters');
const changeHandoffToken = Symbol.for('ChangeHandoff');
const handoffNotifierToken = Symbol.for('HandoffNotifier');
const toolKitToken = Symbol.for('ToolKit');
const acceptAgentReplyToken = Symbol.for('AcceptAgentReply');
const applyRetentionToken = Symbol.for('ApplyRetention');

/** Injection tokens: only `composition/` and the role modules resolve them. */
export const TOKENS = {
  Config: configToken,
  Logger: loggerToken,
  Clock: clockToken,
  Metrics: metricsToken,
  MessageBus: messageBusToken,
  PubSub: pubSubToken,
  ChatStore: chatStoreToken,
  TranscriptExpiry: transcriptExpiryToken,
  CompletionModel: completionModelToken,
  TokenCounter: tokenCounterToken,
  Transcriber: transcriberToken,
  ReplyChannel: replyChannelToken,
  AnalyticsStore: analyticsStoreToken,
  ApiKeyStore: apiKeyStoreToken,
  ApiKeyVerifier: apiKeyVerifierToken,
  Database: databaseToken,
  AdminDirectory: adminDirectoryToken,
  DeadLetterStore: deadLetterStoreToken,
  PushAuthenticator: pushAuthenticatorToken,
  ReplyPolicy: replyPolicyToken,
  AcceptWhatsAppNotification: acceptWhatsAppNotificationToken,
  AcceptApiMessage: acceptApiMessageToken,
  ReplyToMessage: replyToMessageToken,
  ApplyDeliveryStatus: applyDeliveryStatusToken,
  HandleInboundEvent: handleInboundEventToken,
  RecordInteraction: recordInteractionToken,
  QueryAnalytics: queryAnalyticsToken,
  GetTranscript: getTranscriptToken,
  EraseParticipant: eraseParticipantToken,
  ReplayDeadLetter: replayDeadLetterToken,
  ListDeadLetters: listDeadLettersToken,
  ChangeHandoff: changeHandoffToken,
  HandoffNotifier: handoffNotifierToken,
  ToolKit: toolKitToken,
  AcceptAgentReply: acceptAgentReplyToken,
  ApplyRetention: applyRetentionToken,
} as const;

/**
 * What each token stands for: the one table production and tests bind through. Binding, resolving
 * or overriding a token with anything else does not compile.
 */
export interface Registry {
  [TOKENS.Config]: Config;
  [TOKENS.Logger]: Logger;
  [TOKENS.Clock]: Clock;
  [TOKENS.Metrics]: Metrics;
  [TOKENS.MessageBus]: MessageBus;
  /** The Pub/Sub client, bound only with PROJECT_ID (the pull consumer reads from it). */
  [TOKENS.PubSub]: PubSub;
  [TOKENS.ChatStore]: ChatStore;
  /** Bound only with a chat store that has no expiry of its own (PostgreSQL): the retention sweep purges it. */
  [TOKENS.TranscriptExpiry]: TranscriptExpiry;
  [TOKENS.CompletionModel]: CompletionModel;
  [TOKENS.TokenCounter]: TokenCounter;
  [TOKENS.Transcriber]: Transcriber;
  [TOKENS.ReplyChannel]: ReplyChannel;
  [TOKENS.AnalyticsStore]: AnalyticsStore;
  [TOKENS.ApiKeyStore]: ApiKeyStore;
  [TOKENS.ApiKeyVerifier]: ApiKeyVerifier;
  /** The api's opened database, bound only when there is one. */
  [TOKENS.Database]: Database;
  [TOKENS.AdminDirectory]: AdminDirectory;
  [TOKENS.DeadLetterStore]: DeadLetterStore;
  [TOKENS.PushAuthenticator]: PushAuthenticator;
  [TOKENS.ReplyPolicy]: ReplyPolicy;
  [TOKENS.AcceptWhatsAppNotification]: AcceptWhatsAppNotification;
  [TOKENS.AcceptApiMessage]: AcceptApiMessage;
  [TOKENS.ReplyToMessage]: ReplyToMessage;
  [TOKENS.ApplyDeliveryStatus]: ApplyDeliveryStatus;
  [TOKENS.HandleInboundEvent]: HandleInboundEvent;
  [TOKENS.RecordInteraction]: RecordInteraction;
  [TOKENS.QueryAnalytics]: QueryAnalytics;
  [TOKENS.GetTranscript]: GetTranscript;
  [TOKENS.EraseParticipant]: EraseParticipant;
  [TOKENS.ReplayDeadLetter]: ReplayDeadLetter;
  [TOKENS.ListDeadLetters]: ListDeadLetters;
  [TOKENS.ChangeHandoff]: ChangeHandoff;
  [TOKENS.HandoffNotifier]: HandoffNotifier;
  /** What makes a channel's tool calls (signed POSTs) and checks their arguments. */
  [TOKENS.ToolKit]: ToolKit;
  [TOKENS.AcceptAgentReply]: AcceptAgentReply;
  [TOKENS.ApplyRetention]: ApplyRetention;
}

export type Token = keyof Registry;

/** Instances to use instead of the configured ones (tests swap in fakes here), checked per token. */
export type Overrides = { readonly [K in Token]?: Registry[K] };
