import { PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MetricsStartError } from '../../observability/metrics.js';

/** Cloud Monitoring accepts one point per series every 5 s at most; a minute is its recommended period. */
const CLOUD_MONITORING_EXPORT_INTERVAL_MS = 60_000;

/** Prometheus text on http://HOST:port/metrics; a port already in use stops the start with the setting named. */
export async function prometheusReader(host: string, port: number): Promise<IMetricReader> {
  // Without the scope label the samples read as CONTRACT.md writes them: vocoeng_webhooks_total{channel,outcome}.
  const exporter = new PrometheusExporter({ host, port, preventServerStart: true, withoutScopeInfo: true });
  try {
    await exporter.startServer();
  } catch (error) {
    throw new MetricsStartError(`METRICS_PORT: cannot serve Prometheus metrics on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return exporter;
}

/**
 * Cloud Monitoring through Google's exporter (time series under workload.googleapis.com/). Its
 * module pulls in googleapis, so it is loaded here, only with METRICS_EXPORTER=gcp. Credentials
 * are Application Default Credentials: the service's own account from the metadata server on
 * Cloud Run. `endpoint` (host:port, HTTPS) points it at a local double in tests.
 */
export async function cloudMonitoringReader(projectId: string, endpoint: string | undefined): Promise<IMetricReader> {
  const { MetricExporter } = await import('@google-cloud/opentelemetry-cloud-monitoring-exporter');
  // Its constructor prints a DeprecationWarning (Google points to OTLP) as a plain stderr line
  // every start, outside the one-JSON-line-per-entry log; the README says it instead.
  const noDeprecation = process.noDeprecation;
  process.noDeprecation = true;
  let exporter: InstanceType<typeof MetricExporter>;
  try {
    exporter = new MetricExporter({ projectId, ...(endpoint ? { apiEndpoint: endpoint } : {}) });
  } finally {
    process.noDeprecation = noDeprecation;
  }
  return new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: CLOUD_MONITORING_EXPORT_INTERVAL_MS });
}
