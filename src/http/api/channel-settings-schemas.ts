import { z } from '@hono/zod-openapi';
import { CHANNEL_PROVIDERS, type ChannelSettings } from '../../domain/model/channel-settings.js';
import { ACCOUNT_ID_PATTERN, channelSettingsProblems, type ChannelSettingsField } from '../../domain/model/channel-settings-rules.js';
import { settingsArgumentSchemas } from '../settings-argument-schemas.js';

type SettingsField = Exclude<ChannelSettingsField, 'accountId'>;

const TOOL_EXAMPLE = {
  name: 'order_status',
  description: 'The status of an order, by its number',
  parameters: { type: 'object', properties: { orderNumber: { type: 'string', description: 'As printed on the receipt' } }, required: ['orderNumber'] },
  url: 'https://shop.example.com/tools/order-status',
  timeoutMs: 5000,
};

const TOOL = z
  .object({
    name: z.string().openapi({ description: 'What the model calls it: 1–64 letters, digits, _ or -' }),
    description: z.string().openapi({ description: 'What the tool does and when to use it, told to the model: 1–1,024 characters' }),
    parameters: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema (draft 2020-12 or 07) of the arguments, of type "object", at most 16 KiB as JSON; arguments that do not fit are not sent' }),
    url: z.string().openapi({ description: 'http(s) URL the call is POSTed to, at most 2,048 characters; the same SSRF guard as callbacks applies' }),
    timeoutMs: z.number().optional().openapi({ description: 'How long the tool may take to answer, 100–60,000 ms; unset: TOOL_TIMEOUT_MS' }),
  })
  .strict()
  .openapi('ChannelTool', { description: 'An HTTP tool the model may call', example: TOOL_EXAMPLE });

// Types only: the bounds are the domain's rules (channelSettingsProblems), the same the dashboard form applies.
const FIELDS = {
  systemPrompt: z.string().openapi({ description: 'The system prompt, 1–20,000 characters; unset: SYSTEM_PROMPT' }),
  model: z.string().openapi({ description: 'The model name; unset: OPENAI_MODEL (VERTEX_MODEL with AI_PROVIDER=vertex)', example: 'gpt-4o-mini' }),
  provider: z.enum(CHANNEL_PROVIDERS).openapi({ description: 'Who serves the model: openai, or vertex (Gemini on Vertex AI); unset: AI_PROVIDER. The provider must be configured on the worker (OPENAI_API_KEY, or a Vertex AI project)', example: 'vertex' }),
  temperature: z.number().openapi({ description: '0–2' }),
  maxReplyTokens: z.number().openapi({ description: 'Whole number, 1–100,000' }),
  historyMessages: z.number().openapi({ description: 'Earlier messages given to the model, 0–500' }),
  historyTokenBudget: z.number().openapi({ description: 'Tokens the prompt may use, 256–1,000,000' }),
  fallbackText: z.string().openapi({ description: 'Sent when the model fails, 1–4,096 characters' }),
  mediaReplyText: z.string().openapi({ description: 'Sent for media the bot cannot read, 1–4,096 characters' }),
  ratePerMinute: z.number().openapi({ description: 'Messages a participant may send per minute, 0 (no limit) – 10,000' }),
  dailySpendCapUsd: z.number().openapi({ description: 'USD the channel may spend on the model per UTC day, 0 (no cap) – 1,000,000' }),
  limitReplyText: z.string().openapi({ description: 'Sent once when a limit holds a message back, 1–4,096 characters' }),
  windowTemplate: z
    .object({ name: z.string(), language: z.string() })
    .strict()
    .openapi({ description: 'WhatsApp template sent instead of a text reply outside the 24 h window', example: { name: 'follow_up', language: 'en' } }),
  handoff: z
    .object({
      triggers: z.array(z.string()).optional().openapi({ description: 'Phrases (any case) that hand the conversation to a person, up to 20 of 1–100 characters' }),
      tool: z.boolean().optional().openapi({ description: 'Offer the model the built-in request_human tool' }),
      text: z.string().optional().openapi({ description: 'What the user is told when a person was asked for; unset: HANDOFF_TEXT' }),
      notifyUrl: z.string().optional().openapi({ description: 'Gets a signed notification (Standard Webhooks, API_CALLBACK_SECRET) when a conversation starts waiting for a person' }),
    })
    .strict()
    .openapi({ description: 'Asking for a person (human handoff)', example: { triggers: ['talk to a human'], tool: true, text: 'A person will take over shortly.' } }),
  tools: z.array(TOOL).openapi({
    description:
      'HTTP tools the model may call, at most 10 (names unique, not request_human). The worker POSTs `{tool, arguments, callId, conversationId}` to the URL, signed with API_CALLBACK_SECRET (Standard Webhooks, webhook-id = callId), at most once per call, and gives the JSON answer back to the model',
    example: [TOOL_EXAMPLE],
  }),
} satisfies Record<SettingsField, z.ZodType>;

const optional = <T extends Record<string, z.ZodType>>(shape: T) =>
  Object.fromEntries(Object.entries(shape).map(([name, schema]) => [name, schema.optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> };

export const AccountIdParam = z.object({
  accountId: z
    .string()
    .regex(ACCOUNT_ID_PATTERN, 'accountId must be 1 to 128 letters, digits or . _ : @ + -')
    .openapi({ param: { name: 'accountId', in: 'path' }, description: 'WhatsApp phone_number_id, or the API channel account', example: '109876543210987' }),
});

/**
 * A channel's settings as JSON: what GET answers can be PUT back unchanged (so settings can live in
 * version control). Unknown fields are refused; a field left out takes the configured default.
 */
export const ChannelSettingsInput = z
  .object({
    accountId: z.string().optional().openapi({ description: "Ignored when it is the path's account id; any other is refused" }),
    updatedAt: z.string().nullable().optional().openapi({ description: 'Ignored: the time of the save is recorded' }),
    ...optional(FIELDS),
  })
  .strict()
  .superRefine((value, ctx) => {
    const { accountId: _accountId, updatedAt: _updatedAt, ...fields } = value;
    const problems = channelSettingsProblems({ accountId: 'unchecked', ...fields, updatedAt: 0 }, settingsArgumentSchemas());
    for (const [field, message] of Object.entries(problems)) ctx.addIssue({ code: 'custom', path: [field], message: message! });
  })
  .openapi('ChannelSettingsInput');

export const ChannelSettingsBody = z
  .object({
    accountId: z.string(),
    ...optional(FIELDS),
    updatedAt: z.string().nullable().openapi({ description: 'When the settings were last saved; null while the channel has none of its own' }),
  })
  .openapi('ChannelSettings');

/** The settings as the API shows them: every field the channel sets, and when it was saved. */
export function channelSettingsBody(accountId: string, settings: ChannelSettings | null): z.infer<typeof ChannelSettingsBody> {
  if (!settings) return { accountId, updatedAt: null };
  const { updatedAt, ...fields } = settings;
  return { ...fields, accountId, updatedAt: new Date(updatedAt).toISOString() };
}

/** The settings to store from a validated body. */
export function settingsOfInput(accountId: string, input: z.infer<typeof ChannelSettingsInput>, now: number): ChannelSettings {
  const { accountId: _accountId, updatedAt: _updatedAt, ...fields } = input;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return { ...defined, accountId, updatedAt: now };
}
