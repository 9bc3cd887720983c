import OpenAI from 'openai';

export interface OpenAiClientOptions {
  /** A key, or a function the SDK calls before every request for a current bearer token (Vertex AI). */
  apiKey?: string | (() => Promise<string>);
  baseURL?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * An openai SDK client with every setting explicit, so the SDK reads none of its OPENAI_*
 * variables (configuration is parsed once, in config/), and without its own retries (callers own
 * the retry policy). A keyless OpenAI-compatible server gets no Authorization header.
 */
export function createOpenAiClient(options: OpenAiClientOptions): OpenAI {
  return new OpenAI({
    // The SDK cannot be built without a key; for a keyless server the header is dropped below.
    apiKey: options.apiKey ?? 'keyless',
    baseURL: options.baseURL ?? 'https://api.openai.com/v1',
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    timeout: options.timeoutMs,
    maxRetries: 0,
    logLevel: 'off',
    ...(options.apiKey ? {} : { defaultHeaders: { authorization: null } }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
