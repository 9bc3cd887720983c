import type { PageContext } from '../deps.js';
import { formatCount, formatMs, formatTime, formatUsd } from '../format.js';
import { RANGES, type Overview } from '../overview-data.js';
import { ChartCard } from './chart-card.js';
import { Layout } from './layout.js';
import { TimeZoneForm } from './time-zone-form.js';

export function OverviewPage({ page, overview }: { page: PageContext; overview: Overview }) {
  const { summary } = overview;
  const latency = summary.replyLatencyMs;
  const reasons = Object.entries(summary.failures.byReason).sort((a, b) => b[1] - a[1]);
  return (
    <Layout title="Overview" base={page.base} page={page} current="" scripts={['chart.umd.min.js']}>
      <div class="heading">
        <h1>Overview</h1>
        <nav class="ranges" aria-label="Range">
          {RANGES.map((days) => (
            <a href={`${page.base}?days=${days}&tz=${encodeURIComponent(overview.timeZone)}`} aria-current={days === overview.days ? 'page' : undefined}>{`${days} days`}</a>
          ))}
        </nav>
        <TimeZoneForm action={page.base} days={overview.days} timeZone={overview.timeZone} />
      </div>
      <p class="muted">{`${formatTime(overview.from, overview.timeZone)} – ${formatTime(overview.to, overview.timeZone)}`}</p>
      <section class="stats" aria-label="Summary">
        <Stat label="Messages in" value={formatCount(summary.messagesIn)} />
        <Stat label="Answered" value={formatCount(summary.messagesOut)} />
        <Stat label="Agent replies" value={agentReplies(summary.agentReplies)} />
        <Stat label="Tool calls" value={toolCalls(summary.toolCalls)} />
        <Stat label="Conversations" value={formatCount(summary.conversations)} />
        <Stat label="Unique users" value={formatCount(summary.uniqueUsers)} />
        <Stat label="Latency p50 / p95 / p99" value={`${formatMs(latency.p50)} / ${formatMs(latency.p95)} / ${formatMs(latency.p99)}`} />
        <Stat label="Tokens (prompt / completion)" value={`${formatCount(summary.tokens.prompt)} / ${formatCount(summary.tokens.completion)}`} />
        <Stat label="Cost (AI / WhatsApp)" value={`${formatUsd(summary.costUsd)} (${formatUsd(summary.costBreakdown.aiUsd)} / ${formatUsd(summary.costBreakdown.whatsappUsd)})`} />
        {summary.costPerConversationUsd && (
          <Stat label="Cost per conversation p50 / p95" value={[summary.costPerConversationUsd.p50, summary.costPerConversationUsd.p95].map((usd) => (usd === null ? '—' : formatUsd(usd))).join(' / ')} />
        )}
        <Stat label="Failures" value={formatCount(summary.failures.total)} />
      </section>
      <section class="charts">
        {overview.charts.map((chart) => (
          <ChartCard chart={chart} />
        ))}
      </section>
      {reasons.length > 0 && (
        <section class="card">
          <h2>Failures by reason</h2>
          <table>
            <tbody>
              {reasons.map(([reason, count]) => (
                <tr>
                  <th scope="row">{reason}</th>
                  <td class="num">{formatCount(count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </Layout>
  );
}

/** The total; the sends that did not end as sent beside it, when there are any. */
function agentReplies({ total, failed, unknown }: Overview['summary']['agentReplies']): string {
  const unsent = [failed > 0 ? `${formatCount(failed)} failed` : '', unknown > 0 ? `${formatCount(unknown)} unknown` : ''].filter(Boolean);
  return unsent.length > 0 ? `${formatCount(total)} (${unsent.join(', ')})` : formatCount(total);
}

/** The total; the calls that failed or whose answer was lost beside it, when there are any. */
function toolCalls({ total, failed, unknown }: Overview['summary']['toolCalls']): string {
  const unanswered = [failed > 0 ? `${formatCount(failed)} failed` : '', unknown > 0 ? `${formatCount(unknown)} unknown` : ''].filter(Boolean);
  return unanswered.length > 0 ? `${formatCount(total)} (${unanswered.join(', ')})` : formatCount(total);
}

const Stat = ({ label, value }: { label: string; value: string }) => (
  <div class="stat">
    <span>{label}</span>
    <strong>{value}</strong>
  </div>
);
