import type { AnalyticsSummary, TimeseriesMetric } from '../../domain/model/analytics.js';
import { localDateOf, localTimeAt, nextLocal, startOfLocal, startOfLocalDate, UTC } from '../../domain/model/time-zone.js';
import type { QueryAnalytics } from '../../domain/use-cases/query-analytics.js';

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
  /** The IANA zone whose local days these are. */
  timeZone: string;
  from: number;
  to: number;
  summary: AnalyticsSummary;
  charts: ChartSpec[];
}

const METRICS: TimeseriesMetric[] = ['messagesIn', 'messagesOut', 'latencyP50', 'latencyP95', 'latencyP99', 'tokensPrompt', 'tokensCompletion', 'costUsd', 'failures'];

/** The last `days` whole local days of `timeZone` up to and including today: a summary and one series per metric. */
export async function loadOverview(analytics: QueryAnalytics, now: number, days: number, timeZone: string = UTC): Promise<Overview> {
  const to = nextLocal(timeZone, 'day', startOfLocal(timeZone, 'day', now));
  const today = localTimeAt(timeZone, now);
  const from = startOfLocalDate(timeZone, today.year, today.month, today.day - days + 1);
  const [summary, ...series] = await Promise.all([
    analytics.summary({ from, to }, { conversationCosts: true }),
    ...METRICS.map((metric) => analytics.timeseries({ from, to, metric, interval: 'day', timeZone })),
  ]);
  const points = Object.fromEntries(METRICS.map((metric, i) => [metric, series[i]!.points])) as Record<TimeseriesMetric, { at: number; value: number | null }[]>;
  const labels = points.messagesIn.map((p) => localDateOf(timeZone, p.at));
  const values = (metric: TimeseriesMetric) => points[metric].map((p) => (p.value === null ? null : round(p.value)));
  return {
    days,
    timeZone,
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
