/** Injection tokens: only `composition/` and role starters resolve them. */
export const TOKENS = {
  Config: Symbol.for('Config'),
  Logger: Symbol.for('Logger'),
  Clock: Symbol.for('Clock'),
  MessageBus: Symbol.for('MessageBus'),
  PubSub: Symbol.for('PubSub'),
  ChatStore: Symbol.for('ChatStore'),
  CompletionModel: Symbol.for('CompletionModel'),
  TokenCounter: Symbol.for('TokenCounter'),
  Transcriber: Symbol.for('Transcriber'),
  ReplyChannel: Symbol.for('ReplyChannel'),
  AnalyticsStore: Symbol.for('AnalyticsStore'),
  ApiKeyVerifier: Symbol.for('ApiKeyVerifier'),
  PushAuthenticator: Symbol.for('PushAuthenticator'),
  ReplyPolicy: Symbol.for('ReplyPolicy'),
  AcceptWhatsAppNotification: Symbol.for('AcceptWhatsAppNotification'),
  AcceptApiMessage: Symbol.for('AcceptApiMessage'),
  ReplyToMessage: Symbol.for('ReplyToMessage'),
  ApplyDeliveryStatus: Symbol.for('ApplyDeliveryStatus'),
  HandleInboundEvent: Symbol.for('HandleInboundEvent'),
  RecordInteraction: Symbol.for('RecordInteraction'),
  QueryAnalytics: Symbol.for('QueryAnalytics'),
  GetTranscript: Symbol.for('GetTranscript'),
} as const;

export type Token = (typeof TOKENS)[keyof typeof TOKENS];
