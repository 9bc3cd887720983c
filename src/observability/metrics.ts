import type { Config } from '../config/config.js';
import type { Channel } from '../domain/model/ids.js';
import type { TokenUsage } from '../domain/model/reply.js';
import type { ReplyMetrics } from '../domain/ports/reply-metrics.js';
import type { Logger } from './logger.js';

/** How a webhook request ended, by its HTTP answer: a few values, so the series stay few. */
export type WebhookOutcome = 'accepted' | 'unauthorized' | 'invalid' | 'unavailable' | 'error';

export type MetricsConfig = Pick<Config, 'METRICS_EXPORTER' | 'METRICS_PORT' | 'HOST' | 'ROLE' | 'PROJECT_ID' | 'CLOUD_MONITORING_ENDPOINT' | 'K_SERVICE'>;

/** The role's instruments (CONTRACT.md "Metrics"); attributes are low-cardinality only (no ids, no numbers). */
export interface Metrics extends ReplyMetrics {
  /** False for the no-op: callers skip wrapping or timing anything. */
  readonly enabled: boolean;
  webhookHandled(channel: Channel, outcome: WebhookOutcome): void;
  modelCalled(fact: { latencyMs: number; outcome: 'ok' | 'error'; usage?: TokenUsage }): void;
  /** Exports what is pending (Cloud Monitoring) and stops the Prometheus server. */
  close(): Promise<void>;
}

/**
 * METRICS_EXPORTER=none. Why the off path costs nothing: no OpenTelemetry module is loaded (the
 * SDK is imported dynamically only when an exporter is chosen), the listener installs no counting
 * middleware and the model is not wrapped (both check `enabled` once, at wiring), and the one call
 * left on the hot path (`replyRecorded`, once per message) is an empty method.
 */
export const NO_METRICS: Metrics = {
  enabled: false,
  replyRecorded() {},
  webhookHandled() {},
  modelCalled() {},
  close: async () => {},
};

/** Starts the configured exporter; its server or client module is loaded only when chosen. */
export async function startMetrics(config: MetricsConfig, logger: Logger): Promise<Metrics> {
  if (config.METRICS_EXPORTER === 'none') return NO_METRICS;
  const { startOpenTelemetryMetrics } = await import('../adapters/opentelemetry/open-telemetry-metrics.js');
  // OpenTelemetry reports a failed export only to its diagnostic logger: without this, metrics
  // that never reach Cloud Monitoring (a missing IAM role) would fail in silence.
  return startOpenTelemetryMetrics(config, (detail) => logger.warn('metrics export problem', { detail }));
}

/** The exporter could not start (e.g. METRICS_PORT in use); `message` names the setting. */
export class MetricsStartError extends Error {
  override name = 'MetricsStartError';
}
