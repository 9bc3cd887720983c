import type { ConversationSummary } from '../../../domain/model/analytics.js';
import type { TranscriptPage as TranscriptSlice } from '../../../domain/use-cases/get-transcript.js';
import type { PageContext } from '../deps.js';
import { formatCount, formatTime, formatUsd } from '../format.js';
import { Notice } from './form-parts.js';
import { HandoffPanel, ReplyBox, type HandoffControls } from './handoff-panel.js';
import { Layout } from './layout.js';
import { TranscriptEntries } from './transcript-entries.js';

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
  controls: HandoffControls;
  /** Where the page polls for its transcript's changes: only on the latest page. */
  liveSrc?: string | undefined;
  notice?: string | undefined;
}

export function TranscriptPage({ page, transcript, figures, paged, timeZone, controls, liveSrc, notice }: TranscriptPageProps) {
  const { conversation, messages } = transcript;
  const here = `${page.base}/conversations/${encodeURIComponent(conversation.id)}`;
  return (
    <Layout title="Transcript" base={page.base} page={page} current="/conversations">
      <p>
        <a href={`${page.base}/conversations`}>← Conversations</a>
      </p>
      <h1>Transcript</h1>
      <Notice text={notice} />
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
      <HandoffPanel page={page} conversation={conversation} controls={controls} timeZone={timeZone} />
      {paged && <p class="muted">{`Messages after the first page; ${formatCount(messages.length)} shown here.`}</p>}
      <div class="live" data-live={liveSrc}>
        <TranscriptEntries transcript={transcript} here={here} paged={paged} timeZone={timeZone} />
      </div>
      <ReplyBox page={page} conversation={conversation} controls={controls} />
    </Layout>
  );
}

function Figures({ figures }: { figures: ConversationSummary }) {
  return (
    <>
      <dt>Tokens (prompt / completion)</dt>
      <dd>{`${formatCount(figures.tokens.prompt)} / ${formatCount(figures.tokens.completion)}`}</dd>
      <dt>Cost (AI / WhatsApp)</dt>
      <dd data-cost>{`${formatUsd(figures.costUsd)} (${formatUsd(figures.costBreakdown.aiUsd)} / ${formatUsd(figures.costBreakdown.whatsappUsd)})`}</dd>
      <dt>Last delivery</dt>
      <dd>{figures.lastDelivery ?? '—'}</dd>
    </>
  );
}
