import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { problemsOf } from '../../support/config-problems.js';

describe('metrics settings', () => {
  it('records no metrics and keeps port 9464 for Prometheus when nothing is set', () => {
    const config = loadConfig({ ROLE: 'all' });

    expect({ exporter: config.METRICS_EXPORTER, port: config.METRICS_PORT }).toEqual({ exporter: 'none', port: 9464 });
  });

  it('reads the Prometheus exporter and its port when they are set', () => {
    const config = loadConfig({ ROLE: 'all', METRICS_EXPORTER: 'prometheus', METRICS_PORT: '9100' });

    expect({ exporter: config.METRICS_EXPORTER, port: config.METRICS_PORT }).toEqual({ exporter: 'prometheus', port: 9100 });
  });

  it('names an unknown exporter and a bad port in one error', () => {
    const problems = problemsOf({ ROLE: 'all', METRICS_EXPORTER: 'statsd', METRICS_PORT: '70000' });

    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^METRICS_EXPORTER: .*none.*gcp.*prometheus.*\(got "statsd"\)/);
    expect(problems[1]).toMatch(/^METRICS_PORT: must be a port number 1–65535 \(got "70000"\)/);
  });

  it('refuses a Prometheus port that is the service port', () => {
    expect(problemsOf({ ROLE: 'all', PORT: '9464', METRICS_EXPORTER: 'prometheus' })).toEqual([
      'METRICS_PORT: must differ from PORT (both 9464); the Prometheus endpoint is a server of its own',
    ]);
  });

  it('refuses Cloud Monitoring without the project to write to', () => {
    expect(problemsOf({ ROLE: 'all', METRICS_EXPORTER: 'gcp' })).toEqual([
      'PROJECT_ID: required with METRICS_EXPORTER=gcp (the Cloud Monitoring project metrics are written to)',
    ]);
  });

  it('refuses a Cloud Monitoring endpoint that is not host:port', () => {
    expect(problemsOf({ ROLE: 'all', METRICS_EXPORTER: 'gcp', PROJECT_ID: 'p', PUSH_AUTH: 'none', CLOUD_MONITORING_ENDPOINT: 'https://x' })).toEqual([
      'CLOUD_MONITORING_ENDPOINT: must be host:port (got "https://x")',
    ]);
  });
});
