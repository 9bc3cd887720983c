import type { AnalyticsSummary, TimeseriesMetric } from '../../domain/model/analytics.js';
import type { QueryAnalytics } from '../../domain/use-cases/query-analytics.js';

const DAY_MS = 24 * 3600_000;
export const RANGES = [7, 30, 90] as const;

/** What the page script turns into a Chart.js chart (no code in the data, so no inline script). */
export interface ChartSpec {
  id: string;
  title: string;
  kind: 'line' | 'bar';
  labels: string[];
  series: { label: string; data: (number | null)[]; axis?: 'y' | 'y2'; type?: 'line' | 'bar' }[];
  y: string;
  y2?: string;
  stacked?: boolean;
}

export interface Overview {
  days: number;
  from: number;
  to: number;
  summary: AnalyticsSummary;
  charts: ChartSpec[];
}

const METRICS: TimeseriesMetric[] = ['messagesIn', 'messagesOut', 'latencyP50', 'latencyP95', 'latencyP99', 'tokensPrompt', 'tokensCompletion', 'costUsd', 'failures'];

/** The last `days` whole UTC days up to and including today: a summary and one series per metric. */
export async function loadOverview(analytics: QueryAnalytics, now: number, days: number): Promise<Overview> {
  const to = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  const from = to - days * DAY_MS;
  const [summary, ...series] = await Promise.all([
    analytics.summary({ from, to }, { conversationCosts: true }),
    ...METRICS.map((metric) => analytics.timeseries({ from, to, metric, interval: 'day' })),
  ]);
  const points = Object.fromEntries(METRICS.map((metric, i) => [metric, series[i]!.points])) as Record<TimeseriesMetric, { at: number; value: number | null }[]>;
  const labels = points.messagesIn.map((p) => new Date(p.at).toISOString().slice(0, 10));
  const values = (metric: TimeseriesMetric) => points[metric].map((p) => (p.value === null ? null : round(p.value)));
  return {
    days,
    from,
    to,
    summary,
    charts: [
      { id: 'messages', title: 'Messages per day', kind: 'bar', labels, y: 'messages', series: [{ label: 'In', data: values('messagesIn') }, { label: 'Answered', data: values('messagesOut') }] },
      { id: 'latency', title: 'Reply latency (ms)', kind: 'line', labels, y: 'ms', series: [{ label: 'p50', data: values('latencyP50') }, { label: 'p95', data: values('latencyP95') }, { label: 'p99', data: values('latencyP99') }] },
      {
        id: 'tokens',
        title: 'Tokens and cost',
        kind: 'bar',
        labels,
        y: 'tokens',
        y2: 'USD',
        stacked: true,
        series: [
          { label: 'Prompt tokens', data: values('tokensPrompt') },
          { label: 'Completion tokens', data: values('tokensCompletion') },
          { label: 'Cost (USD)', data: values('costUsd'), axis: 'y2', type: 'line' },
        ],
      },
      { id: 'failures', title: 'Failures per day', kind: 'bar', labels, y: 'failures', series: [{ label: 'Failures', data: values('failures') }] },
    ],
  };
}

const round = (value: number): number => Math.round(value * 1e6) / 1e6;
