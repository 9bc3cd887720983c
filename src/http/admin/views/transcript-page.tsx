import type { DeliveryState } from '../../../domain/model/delivery-status.js';
import { textOf } from '../../../domain/model/message.js';
import type { MessageRecord } from '../../../domain/model/message-record.js';
import type { ConversationSummary } from '../../../domain/model/analytics.js';
import type { TranscriptPage as TranscriptSlice } from '../../../domain/use-cases/get-transcript.js';
import { encodeTranscriptCursor } from '../../api/transcript-body.js';
import type { PageContext } from '../deps.js';
import { formatCount, formatMs, formatTime, formatUsd } from '../format.js';
import { noteText } from '../../note-text.js';
import { Layout } from './layout.js';

/** WhatsApp's delivery ticks: one when sent, two when delivered, blue (by the style) when read, a cross when it failed. */
const TICKS: Record<DeliveryState, string> = { sent: '✓', delivered: '✓✓', read: '✓✓', played: '✓✓', failed: '✗' };

interface TranscriptPageProps {
  page: PageContext;
  /** One page of the transcript, oldest first. */
  transcript: TranscriptSlice;
  /** What the conversation cost and how it stands, from the analytics; null before its first fact arrives. */
  figures: ConversationSummary | null;
  /** True when this is not the first page. */
  paged: boolean;
  /** The zone times are shown in. */
  timeZone: string;
}

export function TranscriptPage({ page, transcript, figures, paged, timeZone }: TranscriptPageProps) {
  const { conversation, messages, next } = transcript;
  const here = `${page.base}/conversations/${encodeURIComponent(conversation.id)}`;
  return (
    <Layout title="Transcript" base={page.base} page={page} current="/conversations">
      <p>
        <a href={`${page.base}/conversations`}>← Conversations</a>
      </p>
      <h1>Transcript</h1>
      <dl class="facts card">
        <dt>Channel</dt>
        <dd>{`${conversation.channel} · ${conversation.accountId}`}</dd>
        <dt>Participant</dt>
        <dd>{figures?.participant ? [figures.participant, figures.profileName].filter(Boolean).join(' · ') : `${conversation.participant.name ?? 'unnamed'} (…${conversation.participant.id.slice(-4)})`}</dd>
        <dt>Started</dt>
        <dd>{formatTime(conversation.createdAt, timeZone)}</dd>
        <dt>Messages</dt>
        <dd>{formatCount(conversation.messageCount)}</dd>
        {figures && <Figures figures={figures} />}
      </dl>
      {paged && <p class="muted">{`Messages after the first page; ${formatCount(messages.length)} shown here.`}</p>}
      <ol class="transcript">
        {messages.map((record) => (
          <Exchange record={record} timeZone={timeZone} />
        ))}
      </ol>
      <nav class="pager" aria-label="Pages">
        {paged && <a href={here}>First messages</a>}
        {next && (
          <a href={`${here}?cursor=${encodeURIComponent(encodeTranscriptCursor(next))}`} rel="next">
            Later messages
          </a>
        )}
      </nav>
    </Layout>
  );
}

function Figures({ figures }: { figures: ConversationSummary }) {
  return (
    <>
      <dt>Mode</dt>
      <dd data-mode={figures.mode}>{figures.mode === 'human' ? 'a person answers' : 'the bot answers'}</dd>
      <dt>Tokens (prompt / completion)</dt>
      <dd>{`${formatCount(figures.tokens.prompt)} / ${formatCount(figures.tokens.completion)}`}</dd>
      <dt>Cost (AI / WhatsApp)</dt>
      <dd data-cost>{`${formatUsd(figures.costUsd)} (${formatUsd(figures.costBreakdown.aiUsd)} / ${formatUsd(figures.costBreakdown.whatsappUsd)})`}</dd>
      <dt>Last delivery</dt>
      <dd>{figures.lastDelivery ?? '—'}</dd>
    </>
  );
}

function Exchange({ record, timeZone }: { record: MessageRecord; timeZone: string }) {
  const { message, reply } = record;
  const said = textOf(message.content) ?? `[${message.content.type}]`;
  return (
    <li class="exchange" data-message={message.id}>
      <div class="bubble user">
        <p>{said}</p>
        {record.transcript && <p class="muted">{`Transcribed: ${record.transcript}`}</p>}
        <small>{`${formatTime(message.receivedAt, timeZone)} · ${record.state}`}</small>
      </div>
      {reply && (
        <div class="bubble bot">
          <p>{reply.text}</p>
          <small>
            {[reply.kind, reply.model, formatMs(reply.latencyMs), `${formatCount(reply.usage.prompt + reply.usage.completion)} tokens`, formatUsd(reply.costUsd)]
              .filter(Boolean)
              .join(' · ')}
          </small>
          {record.delivery && (
            <span class="ticks" data-delivery={record.delivery.status} title={record.delivery.status}>
              {TICKS[record.delivery.status]}
            </span>
          )}
        </div>
      )}
      {record.failure && <p class="error">{`Failed at ${record.failure.stage}: ${record.failure.reason}`}</p>}
      {record.note && <p class="muted">{record.foldedInto ? `${record.note} into ${record.foldedInto}` : noteText(record)}</p>}
      {record.templateFallback && <p class="muted">{`template-fallback: ${record.templateFallback}`}</p>}
    </li>
  );
}
