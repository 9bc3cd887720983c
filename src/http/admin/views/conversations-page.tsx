import type { ConversationFilter, ConversationSummary, Page } from '../../../domain/model/analytics.js';
import type { Conversation } from '../../../domain/model/conversation.js';
import { DELIVERY_STATES } from '../../../domain/model/delivery-status.js';
import { CHANNELS, type Channel } from '../../../domain/model/ids.js';
import { CONVERSATION_MODES } from '../../../domain/model/interaction.js';
import type { PageContext } from '../deps.js';
import { formatCount, formatTime, formatUsd } from '../format.js';
import { RANGES } from '../overview-data.js';
import { Layout } from './layout.js';
import { NeedsHuman } from './needs-human.js';

/** What the list shows: the range in days (or between two local dates), the channel and the filters. */
export interface ConversationListView extends ConversationFilter {
  days: number;
  /** `2026-11-01`: from this local date's midnight, in the dashboard's time zone (instead of `days`). */
  fromDate?: string;
  /** `2026-11-30`: up to the end of this local date (instead of now). */
  toDate?: string;
  channel: Channel | undefined;
}

interface ConversationsPageProps {
  page: PageContext;
  view: ConversationListView;
  conversations: Page<ConversationSummary>;
  /** The "needs a human" queue, shown first on the first page (undefined on the others). */
  waiting?: Conversation[] | undefined;
  now: number;
  /** True when this is not the first page. */
  paged: boolean;
  /** The zone times are shown in. */
  timeZone: string;
}

/** The list's address for `view`, every filter kept. */
export function listHref(base: string, view: ConversationListView, cursor?: string): string {
  const params = new URLSearchParams({ days: String(view.days) });
  for (const [name, value] of [['from', view.fromDate], ['to', view.toDate], ['channel', view.channel], ['mode', view.mode], ['outcome', view.outcome], ['q', view.search], ['cursor', cursor]] as const) {
    if (value) params.set(name, value);
  }
  return `${base}/conversations?${params.toString()}`;
}

export function ConversationsPage({ page, view, conversations, waiting, now, paged, timeZone }: ConversationsPageProps) {
  const next = conversations.nextCursor && listHref(page.base, view, conversations.nextCursor);
  return (
    <Layout title="Conversations" base={page.base} page={page} current="/conversations">
      <h1>Conversations</h1>
      {waiting && <NeedsHuman page={page} waiting={waiting} now={now} />}
      <p class="muted">{`${rangeText(view)}, newest activity first.`}</p>
      <nav class="filters" aria-label="Channel">
        {[undefined, ...CHANNELS].map((only) =>
          only === view.channel ? <strong>{only ?? 'All channels'}</strong> : <a href={listHref(page.base, { ...view, channel: only })}>{only ?? 'All channels'}</a>,
        )}
      </nav>
      <Filters page={page} view={view} />
      {conversations.items.length === 0 ? (
        <p class="card">No conversations in this range match.</p>
      ) : (
        <div class="table-wrap card">
          <table>
            <thead>
              <tr>
                <th>Last activity</th>
                <th>With</th>
                <th>Channel</th>
                <th>Mode</th>
                <th class="num">In / out</th>
                <th class="num">Tokens</th>
                <th class="num">Cost (AI / WhatsApp)</th>
                <th>Last delivery</th>
              </tr>
            </thead>
            <tbody>
              {conversations.items.map((c) => (
                <tr>
                  <td>
                    <a href={`${page.base}/conversations/${encodeURIComponent(c.id)}`} data-conversation={c.id}>
                      {formatTime(c.lastMessageAt, timeZone)}
                    </a>
                  </td>
                  <td data-participant>{[c.participant ?? '—', c.profileName].filter(Boolean).join(' · ')}</td>
                  <td>{`${c.channel} · ${c.accountId}`}</td>
                  <td data-mode={c.mode}>{c.mode === 'human' ? 'person' : 'bot'}</td>
                  <td class="num">{`${formatCount(c.messagesIn)} / ${formatCount(c.messagesOut)}`}</td>
                  <td class="num">{`${formatCount(c.tokens.prompt)} / ${formatCount(c.tokens.completion)}`}</td>
                  <td class="num">{`${formatUsd(c.costUsd)} (${formatUsd(c.costBreakdown.aiUsd)} / ${formatUsd(c.costBreakdown.whatsappUsd)})`}</td>
                  <td data-delivery>{c.lastDelivery ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {paged && <a href={listHref(page.base, view)}>First page</a>}
        {next && (
          <a href={next} rel="next">
            Older conversations
          </a>
        )}
      </nav>
    </Layout>
  );
}

function rangeText({ days, fromDate, toDate }: ConversationListView): string {
  if (fromDate && toDate) return `Active from ${fromDate} to ${toDate}`;
  if (fromDate) return `Active since ${fromDate}`;
  if (toDate) return `Active in the ${days} days up to ${toDate}`;
  return `Active in the last ${days} days`;
}

/** Range, mode, last delivery and search, as a GET form: the address is the filter, so it can be shared. */
function Filters({ page, view }: { page: PageContext; view: ConversationListView }) {
  return (
    <form class="filters card" method="get" action={`${page.base}/conversations`} role="search">
      {view.channel && <input type="hidden" name="channel" value={view.channel} />}
      <label>
        Range
        <select name="days">
          {RANGES.map((days) => (
            <option value={String(days)} selected={days === view.days}>{`${days} days`}</option>
          ))}
        </select>
      </label>
      <label>
        From
        <input type="date" name="from" value={view.fromDate ?? ''} />
      </label>
      <label>
        To
        <input type="date" name="to" value={view.toDate ?? ''} />
      </label>
      <label>
        Mode
        <select name="mode">
          <option value="">any</option>
          {CONVERSATION_MODES.map((mode) => (
            <option value={mode} selected={mode === view.mode}>
              {mode === 'human' ? 'person' : 'bot'}
            </option>
          ))}
        </select>
      </label>
      <label>
        Last delivery
        <select name="outcome">
          <option value="">any</option>
          {DELIVERY_STATES.map((state) => (
            <option value={state} selected={state === view.outcome}>
              {state}
            </option>
          ))}
        </select>
      </label>
      <label class="grow">
        Number or name
        <input type="search" name="q" value={view.search ?? ''} maxlength={64} placeholder="4567, +49 170, Ada" />
      </label>
      <button type="submit">Filter</button>
    </form>
  );
}
