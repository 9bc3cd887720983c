import type { DeliveryState } from '../../../domain/model/delivery-status.js';
import { textOf } from '../../../domain/model/message.js';
import type { MessageRecord } from '../../../domain/model/message-record.js';
import type { Transcript } from '../../../domain/use-cases/get-transcript.js';
import type { PageContext } from '../deps.js';
import { formatCount, formatMs, formatTime, formatUsd } from '../format.js';
import { noteText } from '../../note-text.js';
import { Layout } from './layout.js';

/** WhatsApp's delivery ticks: one when sent, two when delivered, blue (by the style) when read, a cross when it failed. */
const TICKS: Record<DeliveryState, string> = { sent: '✓', delivered: '✓✓', read: '✓✓', played: '✓✓', failed: '✗' };

export function TranscriptPage({ page, transcript }: { page: PageContext; transcript: Transcript }) {
  const { conversation, messages, truncated } = transcript;
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
        <dd>{`${conversation.participant.name ?? 'unnamed'} (…${conversation.participant.id.slice(-4)})`}</dd>
        <dt>Started</dt>
        <dd>{formatTime(conversation.createdAt)}</dd>
        <dt>Messages</dt>
        <dd>{formatCount(conversation.messageCount)}</dd>
      </dl>
      {truncated && <p class="muted">Only the latest {formatCount(messages.length)} messages are shown.</p>}
      <ol class="transcript">
        {messages.map((record) => (
          <Exchange record={record} />
        ))}
      </ol>
    </Layout>
  );
}

function Exchange({ record }: { record: MessageRecord }) {
  const { message, reply } = record;
  const said = textOf(message.content) ?? `[${message.content.type}]`;
  return (
    <li class="exchange" data-message={message.id}>
      <div class="bubble user">
        <p>{said}</p>
        {record.transcript && <p class="muted">{`Transcribed: ${record.transcript}`}</p>}
        <small>{`${formatTime(message.receivedAt)} · ${record.state}`}</small>
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
