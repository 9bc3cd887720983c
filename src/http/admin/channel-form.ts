import type { ChannelProvider, ChannelSettings } from '../../domain/model/channel-settings.js';
import type { ChannelTool } from '../../domain/model/tool-call.js';
import { channelSettingsProblems } from '../../domain/model/channel-settings-rules.js';
import { settingsArgumentSchemas } from '../settings-argument-schemas.js';

const TEXTS = ['systemPrompt', 'model', 'fallbackText', 'mediaReplyText', 'limitReplyText'] as const;
const NUMBERS = ['temperature', 'maxReplyTokens', 'historyMessages', 'historyTokenBudget', 'ratePerMinute', 'dailySpendCapUsd'] as const;
const TEMPLATE = ['windowTemplateName', 'windowTemplateLanguage'] as const;
/** Asking for a person: trigger phrases one per line, the request_human tool (a checkbox: `on`), the handoff text, the notify URL. */
const HANDOFF = ['handoffTriggers', 'handoffTool', 'handoffText', 'handoffNotifyUrl'] as const;

/** The tools the model may call: their JSON array (empty: none). */
const TOOLS = ['tools'] as const;
/** Who serves the model: empty (the configured provider), `openai` or `vertex`. */
const PROVIDER = ['provider'] as const;

/** The only form fields the channel editor reads. */
export const CHANNEL_FORM_FIELDS = [...TEXTS, ...PROVIDER, ...NUMBERS, ...TEMPLATE, ...HANDOFF, ...TOOLS] as const;
export type ChannelFormField = (typeof CHANNEL_FORM_FIELDS)[number];
export type ChannelFormValues = Record<ChannelFormField, string>;
export type ChannelFormErrors = Partial<Record<ChannelFormField | 'accountId' | 'form', string>>;

/** The form as it shows stored settings (empty: the configured default applies). */
export function valuesOf(settings: ChannelSettings | null): ChannelFormValues {
  const values = Object.fromEntries(CHANNEL_FORM_FIELDS.map((f) => [f, ''])) as ChannelFormValues;
  if (!settings) return values;
  for (const f of TEXTS) values[f] = settings[f] ?? '';
  for (const f of NUMBERS) values[f] = settings[f] === undefined ? '' : String(settings[f]);
  values.provider = settings.provider ?? '';
  values.windowTemplateName = settings.windowTemplate?.name ?? '';
  values.windowTemplateLanguage = settings.windowTemplate?.language ?? '';
  values.handoffTriggers = (settings.handoff?.triggers ?? []).join('\n');
  values.handoffTool = settings.handoff?.tool ? 'on' : '';
  values.handoffText = settings.handoff?.text ?? '';
  values.handoffNotifyUrl = settings.handoff?.notifyUrl ?? '';
  values.tools = settings.tools && settings.tools.length > 0 ? JSON.stringify(settings.tools, null, 2) : '';
  return values;
}

/** Settings from the submitted form, or the reason for every field that is wrong. */
export function settingsFrom(accountId: string, values: ChannelFormValues, now: number): { settings: ChannelSettings } | { errors: ChannelFormErrors } {
  const errors: ChannelFormErrors = {};
  const settings: ChannelSettings = { accountId, updatedAt: now };
  // Browsers send a textarea's line breaks as CRLF.
  for (const f of TEXTS) if (values[f].trim()) settings[f] = values[f].replace(/\r\n?/g, '\n');
  for (const f of NUMBERS) {
    const raw = values[f].trim();
    if (!raw) continue;
    const n = Number(raw);
    if (Number.isFinite(n)) settings[f] = n;
    else errors[f] = 'must be a number';
  }
  // Checked by the settings rules: anything but openai or vertex is refused there.
  if (values.provider.trim()) settings.provider = values.provider.trim() as ChannelProvider;
  const [name, language] = [values.windowTemplateName.trim(), values.windowTemplateLanguage.trim()];
  if (name || language) settings.windowTemplate = { name, language };
  const handoff = handoffFrom(values);
  if (handoff) settings.handoff = handoff;
  const tools = toolsFrom(values.tools);
  if ('error' in tools) errors.tools = tools.error;
  else if (tools.value !== undefined) settings.tools = tools.value as ChannelTool[];
  const problems = channelSettingsProblems(settings, settingsArgumentSchemas());
  for (const [field, problem] of Object.entries(problems)) {
    const key = field === 'windowTemplate' ? 'windowTemplateName' : field === 'handoff' ? 'handoffTriggers' : (field as ChannelFormField | 'accountId');
    errors[key] ??= problem;
  }
  return Object.keys(errors).length > 0 ? { errors } : { settings };
}

function handoffFrom(values: ChannelFormValues): ChannelSettings['handoff'] {
  const triggers = values.handoffTriggers.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const [text, notifyUrl] = [values.handoffText.replace(/\r\n?/g, '\n'), values.handoffNotifyUrl.trim()];
  const handoff = {
    ...(triggers.length > 0 ? { triggers } : {}),
    ...(values.handoffTool === 'on' ? { tool: true } : {}),
    ...(text.trim() ? { text } : {}),
    ...(notifyUrl ? { notifyUrl } : {}),
  };
  return Object.keys(handoff).length > 0 ? handoff : undefined;
}

/** The tools as typed: checked by the settings rules after parsing (an empty array is no tools). */
function toolsFrom(raw: string): { value: unknown } | { error: string } {
  if (!raw.trim()) return { value: undefined };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { error: `must be JSON, a list of tools such as [{"name": …, "description": …, "parameters": {…}, "url": …}] (${error instanceof Error ? error.message : 'not JSON'})` };
  }
  return { value: Array.isArray(value) && value.length === 0 ? undefined : value };
}
