import type { AgentReply, AgentReplyState } from '../../../domain/model/agent-reply.js';
import type { DeliveryState } from '../../../domain/model/delivery-status.js';
import { textOf } from '../../../domain/model/message.js';
import type { MessageRecord } from '../../../domain/model/message-record.js';
import type { TranscriptPage as TranscriptSlice, TranscriptToolCall } from '../../../domain/use-cases/get-transcript.js';
import { encodeTranscriptCursor } from '../../api/transcript-body.js';
import { formatCount, formatMs, formatTime, formatUsd } from '../format.js';
import { noteText } from '../../note-text.js';
import { ToolCallEntry } from './tool-call-entry.js';

/** WhatsApp's delivery ticks: one when sent, two when delivered, blue (by the style) when read, a cross when it failed. */
const TICKS: Record<DeliveryState, string> = { sent: '✓', delivered: '✓✓', read: '✓✓', played: '✓✓', failed: '✗' };

/** An agent reply's progress as the page says it, and its tick once the send settled. */
const AGENT_STATES: Record<AgentReplyState, { label: string; tick?: string }> = {
  queued: { label: 'queued' },
  sending: { label: 'sending' },
  sent: { label: 'sent', tick: '✓' },
  failed: { label: 'failed', tick: '✗' },
  'send-unknown': { label: 'unknown: it may have been sent', tick: '?' },
};

interface TranscriptEntriesProps {
  transcript: TranscriptSlice;
  /** The conversation page's address (pages are `?cursor=` of it). */
  here: string;
  paged: boolean;
  timeZone: string;
}

/**
 * The messages of one page with the tools the bot called, its replies and agent replies, and the pager: the part of the
 * conversation page that the live poll replaces when it changed.
 */
export function TranscriptEntries({ transcript, here, paged, timeZone }: TranscriptEntriesProps) {
  const { messages, agentReplies, toolCalls, next } = transcript;
  return (
    <>
      <ol class="transcript">
        {messages.map((record) => (
          <Exchange
            record={record}
            toolCalls={toolCalls.filter((call) => call.messageId === record.message.id)}
            agentReplies={agentReplies.filter((reply) => reply.inReplyTo === record.message.id)}
            timeZone={timeZone}
          />
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
    </>
  );
}

interface ExchangeProps {
  record: MessageRecord;
  toolCalls: TranscriptToolCall[];
  agentReplies: AgentReply[];
  timeZone: string;
}

function Exchange({ record, toolCalls, agentReplies, timeZone }: ExchangeProps) {
  const { message, reply } = record;
  const said = textOf(message.content) ?? `[${message.content.type}]`;
  return (
    <li class="exchange" data-message={message.id}>
      <div class="bubble user">
        <p>{said}</p>
        {record.transcript && <p class="muted">{`Transcribed: ${record.transcript}`}</p>}
        <small>{`${formatTime(message.receivedAt, timeZone)} · ${record.state}`}</small>
      </div>
      {toolCalls.map((call) => (
        <ToolCallEntry call={call} timeZone={timeZone} />
      ))}
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
      {agentReplies.map((agentReply) => (
        <AgentBubble reply={agentReply} timeZone={timeZone} />
      ))}
      {record.failure && <p class="error">{`Failed at ${record.failure.stage}: ${record.failure.reason}`}</p>}
      {record.note && <p class="muted">{record.foldedInto ? `${record.note} into ${record.foldedInto}` : noteText(record)}</p>}
      {record.templateFallback && <p class="muted">{`template-fallback: ${record.templateFallback}`}</p>}
    </li>
  );
}

function AgentBubble({ reply, timeZone }: { reply: AgentReply; timeZone: string }) {
  const state = AGENT_STATES[reply.state];
  const why = reply.state === 'failed' && reply.failureReason ? `: ${reply.failureReason}` : '';
  return (
    <div class="bubble agent" data-agent-reply={reply.id} data-state={reply.state}>
      <p>{reply.template ? `Template ${reply.template.name} (${reply.template.language})` : reply.text}</p>
      <small>{`${reply.agent} (a person) · ${formatTime(reply.createdAt, timeZone)} · ${state.label}${why}`}</small>
      {state.tick && (
        <span class="ticks" data-delivery={reply.state === 'sent' ? 'sent' : 'failed'} title={state.label}>
          {state.tick}
        </span>
      )}
    </div>
  );
}
