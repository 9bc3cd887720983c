import type { ChannelFormErrors, ChannelFormValues } from '../channel-form.js';
import type { PageContext } from '../deps.js';
import { CsrfField, Field, FormErrors, Select, TextArea } from './form-parts.js';
import { Layout } from './layout.js';

interface ChannelEditPageProps {
  page: PageContext;
  accountId: string;
  values: ChannelFormValues;
  errors?: ChannelFormErrors;
  exists: boolean;
}

const PROVIDER_OPTIONS = [
  ['', 'The configured default (AI_PROVIDER)'],
  ['openai', 'OpenAI'],
  ['vertex', 'Gemini on Vertex AI'],
] as const;

export function ChannelEditPage({ page, accountId, values, errors = {}, exists }: ChannelEditPageProps) {
  const action = `${page.base}/channels/edit?accountId=${encodeURIComponent(accountId)}`;
  return (
    <Layout title={`Channel ${accountId}`} base={page.base} page={page} current="/channels">
      <p>
        <a href={`${page.base}/channels`}>← Channels</a>
      </p>
      <h1>{`Channel ${accountId}`}</h1>
      {!exists && <p class="muted">This channel has no settings of its own yet. Empty fields use the configured defaults.</p>}
      <FormErrors errors={errors} />
      <form class="card" method="post" action={action}>
        <CsrfField token={page.csrf} />
        <TextArea label="System prompt" name="systemPrompt" value={values.systemPrompt} error={errors.systemPrompt} rows={8} hint="Empty: the configured default prompt." />
        <div class="grid">
          <Select label="Provider" name="provider" value={values.provider} error={errors.provider} options={PROVIDER_OPTIONS} hint="Who serves the model; it must be configured on the worker." />
          <Field label="Model" name="model" value={values.model} error={errors.model} hint="e.g. gpt-4o-mini, google/gemini-2.5-flash" />
          <Field label="Temperature" name="temperature" value={values.temperature} error={errors.temperature} inputmode="decimal" hint="0 to 2" />
          <Field label="Max reply tokens" name="maxReplyTokens" value={values.maxReplyTokens} error={errors.maxReplyTokens} inputmode="numeric" />
          <Field label="History messages" name="historyMessages" value={values.historyMessages} error={errors.historyMessages} inputmode="numeric" />
          <Field label="History token budget" name="historyTokenBudget" value={values.historyTokenBudget} error={errors.historyTokenBudget} inputmode="numeric" />
          <Field label="Messages per minute per user" name="ratePerMinute" value={values.ratePerMinute} error={errors.ratePerMinute} inputmode="numeric" hint="0: no limit" />
          <Field label="Daily spend cap (USD)" name="dailySpendCapUsd" value={values.dailySpendCapUsd} error={errors.dailySpendCapUsd} inputmode="decimal" hint="0: no cap" />
        </div>
        <TextArea label="Fallback reply" name="fallbackText" value={values.fallbackText} error={errors.fallbackText} rows={2} hint="Sent when the model fails." />
        <TextArea label="Media reply" name="mediaReplyText" value={values.mediaReplyText} error={errors.mediaReplyText} rows={2} hint="Sent for media without text." />
        <TextArea label="Limit reply" name="limitReplyText" value={values.limitReplyText} error={errors.limitReplyText} rows={2} hint="Sent when a rate limit or the spend cap is reached." />
        <div class="grid">
          <Field label="Window template name" name="windowTemplateName" value={values.windowTemplateName} error={errors.windowTemplateName} hint="WhatsApp template outside the 24 h window" />
          <Field label="Window template language" name="windowTemplateLanguage" value={values.windowTemplateLanguage} hint="e.g. en or pt_BR" />
        </div>
        <h2>Asking for a person</h2>
        <TextArea label="Trigger phrases" name="handoffTriggers" value={values.handoffTriggers} error={errors.handoffTriggers} rows={3} hint="One per line, any case: a message containing one goes to a person (the Needs a human queue)." />
        <label class="field">
          <span>
            <input type="checkbox" name="handoffTool" value="on" checked={values.handoffTool === 'on'} /> Let the model hand over (the request_human tool)
          </span>
        </label>
        <TextArea label="Handoff text" name="handoffText" value={values.handoffText} rows={2} hint="What the customer is told; empty: HANDOFF_TEXT." />
        <Field label="Notify URL" name="handoffNotifyUrl" value={values.handoffNotifyUrl} hint="Gets a signed conversation.handoff_requested event (API_CALLBACK_SECRET)" />
        <h2>Tools the model may call</h2>
        <TextArea
          label="Tools (JSON)"
          name="tools"
          value={values.tools}
          error={errors.tools}
          rows={12}
          hint={'A JSON list of at most 10 tools: {"name", "description", "parameters" (a JSON Schema of type "object"), "url", "timeoutMs"?}. Each call is POSTed to the url, signed (API_CALLBACK_SECRET). Empty: no tools.'}
        />
        <button type="submit">Save settings</button>
      </form>
    </Layout>
  );
}
