import { diag, DiagLogLevel, ValueType, type Counter, type Histogram } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type IMetricReader } from '@opentelemetry/sdk-metrics';
import type { Channel } from '../../domain/model/ids.js';
import type { TokenUsage } from '../../domain/model/reply.js';
import type { ReplyFact } from '../../domain/ports/reply-metrics.js';
import type { Metrics, MetricsConfig, WebhookOutcome } from '../../observability/metrics.js';
import { cloudMonitoringReader, prometheusReader } from './metric-readers.js';

/** The contract's instruments on an OpenTelemetry MeterProvider with one reader (Prometheus or Cloud Monitoring). */
export class OpenTelemetryMetrics implements Metrics {
  readonly enabled = true;
  private readonly webhooks: Counter;
  private readonly replies: Counter;
  private readonly replyLatency: Histogram;
  private readonly modelLatency: Histogram;
  private readonly tokens: Counter;

  constructor(private readonly provider: MeterProvider) {
    const meter = provider.getMeter('vocoeng');
    // Counts are whole numbers: INT64 series in Cloud Monitoring rather than DOUBLE.
    this.webhooks = meter.createCounter('vocoeng.webhooks', { description: 'Inbound webhook requests, by channel and outcome', valueType: ValueType.INT });
    this.replies = meter.createCounter('vocoeng.replies', { description: 'Messages settled by the worker, by channel and outcome', valueType: ValueType.INT });
    this.replyLatency = meter.createHistogram('vocoeng.reply.latency', { unit: 'ms', description: 'From a message arriving to its reply' });
    this.modelLatency = meter.createHistogram('vocoeng.model.latency', { unit: 'ms', description: 'One completion call of the AI model' });
    this.tokens = meter.createCounter('vocoeng.model.tokens', { description: 'Tokens used by the AI model, by kind (prompt, completion)', valueType: ValueType.INT });
  }

  webhookHandled(channel: Channel, outcome: WebhookOutcome): void {
    this.webhooks.add(1, { channel, outcome });
  }

  replyRecorded(fact: ReplyFact): void {
    this.replies.add(1, { channel: fact.channel, outcome: fact.outcome });
    if (fact.latencyMs !== undefined) this.replyLatency.record(fact.latencyMs, { channel: fact.channel });
  }

  modelCalled(fact: { latencyMs: number; outcome: 'ok' | 'error'; usage?: TokenUsage }): void {
    this.modelLatency.record(fact.latencyMs, { outcome: fact.outcome });
    if (!fact.usage) return;
    this.tokens.add(fact.usage.prompt, { kind: 'prompt' });
    this.tokens.add(fact.usage.completion, { kind: 'completion' });
  }

  async close(): Promise<void> {
    // Shutting down the provider exports what is pending (a scaled-in Cloud Run instance loses nothing) and stops the reader's server.
    await this.provider.shutdown();
  }
}

export async function startOpenTelemetryMetrics(config: MetricsConfig, warn: (detail: string) => void): Promise<OpenTelemetryMetrics> {
  const report = (message: string, ...args: unknown[]) => warn([message, ...args.map((arg) => (arg instanceof Error ? arg.message : String(arg)))].join(' '));
  diag.setLogger({ error: report, warn: report, info: () => {}, debug: () => {}, verbose: () => {} }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const reader: IMetricReader =
    config.METRICS_EXPORTER === 'prometheus'
      ? await prometheusReader(config.HOST, config.METRICS_PORT)
      : await cloudMonitoringReader(config.PROJECT_ID!, config.CLOUD_MONITORING_ENDPOINT);
  return new OpenTelemetryMetrics(new MeterProvider({ readers: [reader], resource: resourceOf(config.ROLE, config.K_SERVICE) }));
}

/**
 * Who writes the series. Cloud Monitoring maps service name + instance id to a `generic_task`, so
 * each Cloud Run instance writes series of its own (two instances writing one series would
 * overwrite each other's cumulative counts); Prometheus shows them as `target_info`.
 */
function resourceOf(role: string, service: string | undefined) {
  return resourceFromAttributes({
    'service.namespace': 'vocoeng',
    'service.name': service ?? `vocoeng-${role}`,
    'service.instance.id': randomUUID(),
  });
}
