import type { ModelPrice } from '../domain/model/reply.js';

/**
 * USD per million tokens (prompt, completion) of common OpenAI and Gemini models, as published when this was
 * written; override or extend with MODEL_PRICES='{"model":{"prompt":0.15,"completion":0.6}}'.
 * A model missing here costs 0 and the reply is still recorded with its token usage.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o-mini': { prompt: 0.15, completion: 0.6 },
  'gpt-4o': { prompt: 2.5, completion: 10 },
  'gpt-4.1-mini': { prompt: 0.4, completion: 1.6 },
  'gpt-4.1-nano': { prompt: 0.1, completion: 0.4 },
  'gpt-4.1': { prompt: 2, completion: 8 },
  'gpt-5-mini': { prompt: 0.25, completion: 2 },
  'gpt-5': { prompt: 1.25, completion: 10 },
  'o4-mini': { prompt: 1.1, completion: 4.4 },
  // Gemini on Vertex AI (AI_PROVIDER=vertex), keyed by the OpenAI-compatible names. Google's list
  // prices for text on the standard (on-demand) tier, prompts up to 200k tokens, as published on
  // cloud.google.com/vertex-ai/generative-ai/pricing in 2025; check them there before relying on
  // the spend cap (2.5 Pro costs $2.50/$15 above 200k prompt tokens, not modelled here).
  'google/gemini-2.5-flash': { prompt: 0.3, completion: 2.5 },
  'google/gemini-2.5-flash-lite': { prompt: 0.1, completion: 0.4 },
  'google/gemini-2.5-pro': { prompt: 1.25, completion: 10 },
};
