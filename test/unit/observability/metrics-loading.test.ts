import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/observability/logger.js';
import { PassThrough } from 'node:stream';
import { NO_METRICS, startMetrics } from '../../../src/observability/metrics.js';

// With METRICS_EXPORTER=none no OpenTelemetry module may be loaded, and the Cloud Monitoring
// exporter (which pulls in googleapis) only with METRICS_EXPORTER=gcp: checked on the import graph.

const SRC = join(import.meta.dirname, '../../../src');
const OTEL_ADAPTER = join(SRC, 'adapters/opentelemetry');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

/** Specifiers loaded when the module is evaluated: static and side-effect imports and re-exports (not `import type`, not `import()`). */
function eagerSpecifiersOf(source: string): string[] {
  const statements = source.match(/^(?:import|export)\s(?!type\s)[^;]*?\bfrom\s+['"][^'"]+['"]|^import\s+['"][^'"]+['"]/gms) ?? [];
  return statements.map((statement) => /['"]([^'"]+)['"]\s*$/.exec(statement)![1]!);
}

const isOpenTelemetry = (specifier: string) => specifier.startsWith('@opentelemetry/') || specifier.startsWith('@google-cloud/opentelemetry');

function eagerProblems(files: { file: string; source: string }[]): string[] {
  return files.flatMap(({ file, source }) =>
    eagerSpecifiersOf(source)
      .filter((specifier) => {
        const insideAdapter = file.startsWith(`${OTEL_ADAPTER}/`);
        if (specifier === '@google-cloud/opentelemetry-cloud-monitoring-exporter') return true;
        if (isOpenTelemetry(specifier)) return !insideAdapter;
        return !insideAdapter && specifier.startsWith('.') && join(file, '..', specifier).startsWith(`${OTEL_ADAPTER}/`);
      })
      .map((specifier) => `${relative(SRC, file)} → ${specifier}`),
  );
}

describe('metrics modules', () => {
  it('are reached from the rest of the code only through a dynamic import when the sources are scanned', () => {
    const files = sourceFiles(SRC).map((file) => ({ file, source: readFileSync(file, 'utf8') }));
    expect(files.some(({ source }) => source.includes("await import('../adapters/opentelemetry/open-telemetry-metrics.js')"))).toBe(true);
    expect(eagerProblems(files)).toEqual([]);
  });

  it('reports an eager OpenTelemetry import outside the adapter and an eager Cloud Monitoring exporter import anywhere', () => {
    const files = [
      { file: join(SRC, 'server.ts'), source: "import { MeterProvider } from '@opentelemetry/sdk-metrics';\nimport type { Meter } from '@opentelemetry/api';" },
      { file: join(SRC, 'composition/role.ts'), source: "import {\n  startOpenTelemetryMetrics,\n} from '../adapters/opentelemetry/open-telemetry-metrics.js';" },
      { file: join(OTEL_ADAPTER, 'metric-readers.ts'), source: "import { MetricExporter } from '@google-cloud/opentelemetry-cloud-monitoring-exporter';\nimport { PrometheusExporter } from '@opentelemetry/exporter-prometheus';" },
    ];
    expect(eagerProblems(files)).toEqual([
      'server.ts → @opentelemetry/sdk-metrics',
      'composition/role.ts → ../adapters/opentelemetry/open-telemetry-metrics.js',
      'adapters/opentelemetry/metric-readers.ts → @google-cloud/opentelemetry-cloud-monitoring-exporter',
    ]);
  });

  it('starts nothing and records into a no-op when METRICS_EXPORTER is none', async () => {
    const metrics = await startMetrics(loadConfig({ ROLE: 'all' }), createLogger({ level: 'error', stream: new PassThrough() }));

    expect(metrics).toBe(NO_METRICS);
    expect(metrics.enabled).toBe(false);
  });
});
