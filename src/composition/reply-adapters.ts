import { defaultModelOf, transcribesVoiceNotes, vertexProjectOf, type Config } from '../config/config.js';
import type { CompletionModel } from '../domain/ports/completion-model.js';
import type { ChannelProvider } from '../domain/model/channel-settings.js';
import type { ReplyChannel } from '../domain/ports/reply-channel.js';
import type { Transcriber } from '../domain/ports/transcriber.js';
import type { Logger } from '../observability/logger.js';
import type { HandoffNotifier } from '../domain/ports/handoff-notifier.js';
import type { ToolRunner } from '../domain/ports/tool-runner.js';
import type { ToolKit } from '../domain/use-cases/tool-rounds.js';
import { NO_HANDOFF_NOTIFIER } from '../domain/use-cases/request-human.js';
import { TOKENS } from './tokens.js';
import type { Providers, Resolve } from './wiring.js';
import type { UnsentReason } from '../domain/model/reasons.js';

/**
 * What the worker answers with: the model, the tokenizer, speech-to-text and the reply channels.
 * A vendor's module is imported only when the configuration chooses it (no `openai` for the
 * scripted model, no undici without API callbacks).
 */
export async function replyAdapterProviders(config: Config, logger: Logger): Promise<Providers> {
  const [model, transcriber, channels, notifier, toolKit, tokenCounter] = await Promise.all([
    completionModelFor(config, logger),
    transcriberFor(config),
    replyChannelFor(config, logger),
    handoffNotifierFor(config),
    toolKitFor(config),
    // Prompts are cut to the default model's encoding (a channel's own model is counted with it too;
    // Gemini's tokenizer is not public, so its prompts are estimated with o200k_base). The encoding
    // itself loads at the first prompt that needs counting.
    import('../adapters/openai/gpt-token-counter.js').then(({ GptTokenCounter }) => GptTokenCounter.forModel(defaultModelOf(config) ?? config.OPENAI_MODEL)),
  ]);
  return {
    [TOKENS.CompletionModel]: model,
    [TOKENS.TokenCounter]: () => tokenCounter,
    [TOKENS.Transcriber]: transcriber,
    [TOKENS.ReplyChannel]: channels,
    [TOKENS.HandoffNotifier]: notifier,
    [TOKENS.ToolKit]: toolKit,
  };
}

/** Tool calls are signed like API callbacks (API_CALLBACK_SECRET): without it, a channel's tools answer `tool_not_configured`. */
async function toolKitFor(config: Config): Promise<() => ToolKit> {
  const secret = config.API_CALLBACK_SECRET;
  const [{ AjvArgumentSchemas }, runner] = await Promise.all([
    import('../adapters/json-schema/ajv-argument-schemas.js'),
    secret
      ? import('../adapters/webhook/webhook-tool-runner.js').then(({ WebhookToolRunner }) => new WebhookToolRunner({ secret, allowedHosts: new Set(config.CALLBACK_ALLOWED_HOSTS) }))
      : Promise.resolve(UNCONFIGURED_TOOLS),
  ]);
  return () => ({ runner, schemas: new AjvArgumentSchemas() });
}

const UNCONFIGURED_TOOLS: ToolRunner = { call: async () => ({ outcome: 'failed', reason: 'tool_not_configured' }) };

/** Signed like API callbacks (API_CALLBACK_SECRET); without the secret, a channel's notify URL is not told (the queue still shows the conversation). */
async function handoffNotifierFor(config: Config): Promise<() => HandoffNotifier> {
  const secret = config.API_CALLBACK_SECRET;
  if (!secret) return () => NO_HANDOFF_NOTIFIER;
  const { WebhookHandoffNotifier } = await import('../adapters/webhook/webhook-handoff-notifier.js');
  return () => new WebhookHandoffNotifier({ secret, allowedHosts: new Set(config.CALLBACK_ALLOWED_HOSTS) });
}

/**
 * The configured model (AI_PROVIDER), and, for channels whose settings choose another provider,
 * that provider when it is configured too: OpenAI with OPENAI_API_KEY (or OPENAI_BASE_URL), Gemini
 * with VERTEX_PROJECT. Those are loaded on a channel's first use.
 */
async function completionModelFor(config: Config, logger: Logger): Promise<(resolve: Resolve) => CompletionModel> {
  const configured = await configuredModelFor(config, logger);
  const others: Partial<Record<ChannelProvider, (resolve: Resolve) => Promise<CompletionModel>>> = {};
  if (config.aiProvider !== 'openai' && (config.OPENAI_API_KEY || config.OPENAI_BASE_URL)) others.openai = async (resolve) => (await openAiModelFor(config, logger))(resolve);
  if (config.aiProvider !== 'vertex' && config.VERTEX_PROJECT) others.vertex = async (resolve) => (await vertexModelFor(config, logger))(resolve);
  if (Object.keys(others).length === 0) return configured;
  const { ProviderRoutingCompletionModel } = await import('../adapters/routing/provider-routing-completion-model.js');
  return (resolve) =>
    new ProviderRoutingCompletionModel(
      configured(resolve),
      config.aiProvider,
      Object.fromEntries(Object.entries(others).map(([provider, make]) => [provider, () => make(resolve)])),
    );
}

async function configuredModelFor(config: Config, logger: Logger): Promise<(resolve: Resolve) => CompletionModel> {
  if (config.aiProvider === 'vertex') return vertexModelFor(config, logger);
  if (config.aiProvider !== 'openai') {
    const { ScriptedCompletionModel } = await import('../adapters/scripted/scripted-completion-model.js');
    return () => new ScriptedCompletionModel();
  }
  return openAiModelFor(config, logger);
}

async function openAiModelFor(config: Config, logger: Logger): Promise<(resolve: Resolve) => CompletionModel> {
  const { OpenAiCompletionModel } = await import('../adapters/openai/openai-completion-model.js');
  return (resolve) =>
    new OpenAiCompletionModel({
      ...(config.OPENAI_API_KEY ? { apiKey: config.OPENAI_API_KEY } : {}),
      ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
      defaultModel: config.OPENAI_MODEL,
      // OPENAI_TIMEOUT_MS bounds the whole call, retries included: that is what the lease check counts.
      timeoutMs: config.OPENAI_TIMEOUT_MS,
      callTimeoutMs: config.OPENAI_TIMEOUT_MS,
      // The open circuit's wait is timed by the role's clock (tests move a fixed one).
      clock: resolve(TOKENS.Clock),
      logger,
    });
}

/** Gemini on Vertex AI: Application Default Credentials (workload identity on Cloud Run), no API key. */
async function vertexModelFor(config: Config, logger: Logger): Promise<(resolve: Resolve) => CompletionModel> {
  const project = vertexProjectOf(config);
  // The configuration check refuses vertex without a project; this guards a hand-built Config.
  if (!project) throw new Error('AI_PROVIDER=vertex needs VERTEX_PROJECT or PROJECT_ID');
  const { VertexCompletionModel } = await import('../adapters/vertex/vertex-completion-model.js');
  return (resolve) =>
    new VertexCompletionModel({
      project,
      location: config.VERTEX_LOCATION,
      ...(config.VERTEX_BASE_URL ? { apiEndpoint: config.VERTEX_BASE_URL } : {}),
      defaultModel: config.VERTEX_MODEL,
      timeoutMs: config.OPENAI_TIMEOUT_MS,
      callTimeoutMs: config.OPENAI_TIMEOUT_MS,
      clock: resolve(TOKENS.Clock),
      logger,
    });
}

async function transcriberFor(config: Config): Promise<() => Transcriber> {
  const accessToken = config.WHATSAPP_ACCESS_TOKEN;
  if (!transcribesVoiceNotes(config) || !accessToken) {
    const { DisabledTranscriber } = await import('../adapters/unconfigured/disabled-transcriber.js');
    return () => new DisabledTranscriber();
  }
  const [{ OpenAiTranscriber }, { WhatsAppMediaDownloader }] = await Promise.all([
    import('../adapters/openai/openai-transcriber.js'),
    import('../adapters/whatsapp/whatsapp-media.js'),
  ]);
  return () =>
    new OpenAiTranscriber({
      media: new WhatsAppMediaDownloader({ baseUrl: config.WHATSAPP_API_BASE_URL, apiVersion: config.WHATSAPP_API_VERSION, accessToken }),
      ...(config.OPENAI_API_KEY ? { apiKey: config.OPENAI_API_KEY } : {}),
      ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
      model: config.TRANSCRIPTION_MODEL,
      timeoutMs: config.TRANSCRIPTION_TIMEOUT_MS,
    });
}

/** Each reply goes out through the adapter of its message's channel. */
async function replyChannelFor(config: Config, logger: Logger): Promise<() => ReplyChannel> {
  const { RoutingReplyChannel } = await import('../adapters/routing/routing-reply-channel.js');
  const [whatsapp, api] = await Promise.all([whatsAppChannelFor(config, logger), apiChannelFor(config)]);
  return () => new RoutingReplyChannel({ whatsapp: whatsapp(), api: api() });
}

async function whatsAppChannelFor(config: Config, logger: Logger): Promise<() => ReplyChannel> {
  const accessToken = config.WHATSAPP_ACCESS_TOKEN;
  if (!accessToken) return unconfigured('whatsapp_sending_not_configured') // set WHATSAPP_ACCESS_TOKEN;
  const { WhatsAppGraphReplyChannel } = await import('../adapters/whatsapp/whatsapp-reply-channel.js');
  return () => new WhatsAppGraphReplyChannel({ baseUrl: config.WHATSAPP_API_BASE_URL, apiVersion: config.WHATSAPP_API_VERSION, accessToken, logger });
}

async function apiChannelFor(config: Config): Promise<() => ReplyChannel> {
  // Never the inbound API_WEBHOOK_SECRET: a callback replayed to /webhooks/api must not verify.
  const secret = config.API_CALLBACK_SECRET;
  if (!secret) return unconfigured('api_channel_not_configured') // set API_CALLBACK_SECRET;
  const { WebhookReplyChannel } = await import('../adapters/webhook/webhook-reply-channel.js');
  return () => new WebhookReplyChannel({ secret, allowedHosts: new Set(config.CALLBACK_ALLOWED_HOSTS) });
}

async function unconfigured(reason: UnsentReason): Promise<() => ReplyChannel> {
  const { UnconfiguredReplyChannel } = await import('../adapters/unconfigured/unconfigured-reply-channel.js');
  return () => new UnconfiguredReplyChannel(reason);
}
