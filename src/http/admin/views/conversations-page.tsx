import type { ConversationSummary, Page } from '../../../domain/model/analytics.js';
import { CHANNELS, type Channel } from '../../../domain/model/ids.js';
import type { PageContext } from '../deps.js';
import { formatCount, formatTime, formatUsd } from '../format.js';
import { Layout } from './layout.js';

interface ConversationsPageProps {
  page: PageContext;
  days: number;
  /** Only this channel's conversations; all when undefined. */
  channel: Channel | undefined;
  conversations: Page<ConversationSummary>;
  /** True when this is not the first page. */
  paged: boolean;
}

export function ConversationsPage({ page, days, channel, conversations, paged }: ConversationsPageProps) {
  const listOf = (only: Channel | undefined) => `${page.base}/conversations?days=${days}${only ? `&channel=${only}` : ''}`;
  const next = conversations.nextCursor && `${listOf(channel)}&cursor=${encodeURIComponent(conversations.nextCursor)}`;
  return (
    <Layout title="Conversations" base={page.base} page={page} current="/conversations">
      <h1>Conversations</h1>
      <p class="muted">{`Active in the last ${days} days, newest activity first.`}</p>
      <nav class="filters" aria-label="Channel">
        {[undefined, ...CHANNELS].map((only) =>
          only === channel ? <strong>{only ?? 'All channels'}</strong> : <a href={listOf(only)}>{only ?? 'All channels'}</a>,
        )}
      </nav>
      {conversations.items.length === 0 ? (
        <p class="card">No conversations in this range.</p>
      ) : (
        <div class="table-wrap card">
          <table>
            <thead>
              <tr>
                <th>Last activity</th>
                <th>With</th>
                <th>Channel</th>
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
                      {formatTime(c.lastMessageAt)}
                    </a>
                  </td>
                  <td data-participant>{[c.participant ?? '—', c.profileName].filter(Boolean).join(' · ')}</td>
                  <td>{`${c.channel} · ${c.accountId}`}</td>
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
        {paged && <a href={listOf(channel)}>First page</a>}
        {next && (
          <a href={next} rel="next">
            Older conversations
          </a>
        )}
      </nav>
    </Layout>
  );
}
