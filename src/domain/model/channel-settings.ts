import type { ChannelTool } from './tool-call.js';

/**
 * Per-channel (per WhatsApp number or API account) settings edited by admins. Every field is
 * optional: what a channel does not set comes from configuration defaults.
 */
/** The model providers a channel may choose instead of the configured one (AI_PROVIDER). */
export const CHANNEL_PROVIDERS = ['openai', 'vertex'] as const;
export type ChannelProvider = (typeof CHANNEL_PROVIDERS)[number];

export interface ChannelSettings {
  accountId: string;
  systemPrompt?: string;
  model?: string;
  /** Who serves the channel's model (OpenAI or Gemini on Vertex AI); unset: AI_PROVIDER. */
  provider?: ChannelProvider;
  temperature?: number;
  maxReplyTokens?: number;
  historyMessages?: number;
  /** Tokens the prompt may use (system prompt, history, message). */
  historyTokenBudget?: number;
  fallbackText?: string;
  mediaReplyText?: string;
  /** Messages a participant may send per minute before getting the limit reply (0: no limit). */
  ratePerMinute?: number;
  /** USD the channel may spend on the model per UTC day (0: no cap). */
  dailySpendCapUsd?: number;
  limitReplyText?: string;
  /** WhatsApp template sent instead of a text reply outside the 24 h service window. */
  windowTemplate?: { name: string; language: string };
  /** Asking for a person (human handoff): what triggers it, what the user is told, who is notified. */
  handoff?: HandoffSettings;
  /** HTTP tools the model may call (at most TOOLS_MAX). */
  tools?: ChannelTool[];
  updatedAt: number;
}

export interface HandoffSettings {
  /** Phrases that hand the conversation to a person when the user's text contains one (any case). */
  triggers?: string[];
  /** Offer the model the built-in `request_human` tool. */
  tool?: boolean;
  /** What the user is told when a person was asked for (default from configuration). */
  text?: string;
  /** Where a signed notification (Standard Webhooks) goes when a conversation starts waiting for a person. */
  notifyUrl?: string;
}
