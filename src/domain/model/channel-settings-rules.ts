import type { ArgumentSchemas } from '../ports/argument-schemas.js';
import { CHANNEL_PROVIDERS, type ChannelProvider, type ChannelSettings, type HandoffSettings } from './channel-settings.js';
import { toolsProblem } from './channel-tool-rules.js';
import { isHttpUrl } from './http-url.js';

export type ChannelSettingsField = Exclude<keyof ChannelSettings, 'updatedAt'>;

/** What an admin may set, with the reason shown when a value is out of bounds. */
const TEXT_MAX = 4096;
const integerIn = (min: number, max: number) => (v: unknown) => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? null : `must be a whole number from ${min} to ${max}`);
const numberIn = (min: number, max: number) => (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? null : `must be a number from ${min} to ${max}`);
const textUpTo = (max: number) => (v: unknown) => (typeof v === 'string' && v.trim().length > 0 && v.length <= max ? null : `must be 1 to ${max} characters`);

const RULES: Record<Exclude<ChannelSettingsField, 'accountId' | 'windowTemplate' | 'handoff' | 'tools'>, (value: unknown) => string | null> = {
  systemPrompt: textUpTo(20_000),
  model: (v) => (typeof v === 'string' && /^[\w.:/@-]{1,200}$/.test(v) ? null : 'must be a model name: 1 to 200 letters, digits or . _ : / @ -'),
  provider: (v) => (CHANNEL_PROVIDERS.includes(v as ChannelProvider) ? null : `must be one of ${CHANNEL_PROVIDERS.join(', ')}`),
  temperature: numberIn(0, 2),
  maxReplyTokens: integerIn(1, 100_000),
  historyMessages: integerIn(0, 500),
  historyTokenBudget: integerIn(256, 1_000_000),
  fallbackText: textUpTo(TEXT_MAX),
  mediaReplyText: textUpTo(TEXT_MAX),
  ratePerMinute: integerIn(0, 10_000),
  dailySpendCapUsd: numberIn(0, 1_000_000),
  limitReplyText: textUpTo(TEXT_MAX),
};

export const ACCOUNT_ID_PATTERN = /^[\w.:@+-]{1,128}$/;

/**
 * Problems by field (empty when the settings are valid). Absent fields are always valid. With
 * `schemas`, each tool's parameters must also compile as a JSON Schema (both editors pass one).
 */
export function channelSettingsProblems(settings: ChannelSettings, schemas?: ArgumentSchemas): Partial<Record<ChannelSettingsField, string>> {
  const problems: Partial<Record<ChannelSettingsField, string>> = {};
  if (!ACCOUNT_ID_PATTERN.test(settings.accountId)) problems.accountId = 'must be 1 to 128 letters, digits or . _ : @ + -';
  for (const [field, rule] of Object.entries(RULES) as [keyof typeof RULES, (value: unknown) => string | null][]) {
    const value = settings[field];
    if (value === undefined) continue;
    const problem = rule(value);
    if (problem) problems[field] = problem;
  }
  const template = settings.windowTemplate;
  if (template && (!/^[a-z0-9_]{1,512}$/.test(template.name) || !/^[a-z]{2,3}(_[A-Z]{2,4})?$/.test(template.language))) {
    problems.windowTemplate = 'needs a template name (lower-case letters, digits, _) and a language code such as en or pt_BR';
  }
  const handoff = settings.handoff && handoffProblem(settings.handoff);
  if (handoff) problems.handoff = handoff;
  const tools = settings.tools === undefined ? null : toolsProblem(settings.tools, schemas);
  if (tools) problems.tools = tools;
  return problems;
}

/** At most this many trigger phrases, each 1–100 characters. */
export const HANDOFF_TRIGGERS_MAX = 20;

function handoffProblem(handoff: HandoffSettings): string | null {
  const { triggers, tool, text, notifyUrl } = handoff;
  if (triggers !== undefined && (!Array.isArray(triggers) || triggers.length > HANDOFF_TRIGGERS_MAX || triggers.some((t) => typeof t !== 'string' || !t.trim() || t.length > 100))) {
    return `triggers must be at most ${HANDOFF_TRIGGERS_MAX} phrases of 1 to 100 characters`;
  }
  if (tool !== undefined && typeof tool !== 'boolean') return 'tool must be true or false';
  if (text !== undefined && textUpTo(TEXT_MAX)(text)) return `text must be 1 to ${TEXT_MAX} characters`;
  if (notifyUrl !== undefined && !isHttpUrl(notifyUrl)) return 'notifyUrl must be an http(s) URL of at most 2,048 characters';
  return null;
}
