import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface MonitoringRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: any;
}

/**
 * Google's side of `METRICS_EXPORTER=gcp`, on 127.0.0.1: the Cloud Monitoring v3 REST API over
 * HTTPS (a self-signed certificate the child process trusts through NODE_EXTRA_CA_CERTS; the
 * exporter only speaks https://) answering metricDescriptors.get/create and timeSeries.create as
 * Google does, and a metadata server (GCE_METADATA_HOST, plain HTTP as on Cloud Run) that hands
 * the service account's access token to Application Default Credentials.
 */
export class CloudMonitoringDouble {
  readonly accessToken = `ya29.test-${Math.random().toString(36).slice(2)}`;
  readonly requests: MonitoringRequest[] = [];
  readonly tokenRequests: string[] = [];
  /** When set, timeSeries.create answers 403 as it does for an account without roles/monitoring.metricWriter. */
  denyWrites = false;
  private dir = '';
  private monitoring: Server | undefined;
  private metadata: Server | undefined;

  /** host:port of the Cloud Monitoring API (CLOUD_MONITORING_ENDPOINT). */
  get endpoint(): string {
    return `127.0.0.1:${(this.monitoring!.address() as AddressInfo).port}`;
  }

  /** host:port of the metadata server (GCE_METADATA_HOST). */
  get metadataHost(): string {
    return `127.0.0.1:${(this.metadata!.address() as AddressInfo).port}`;
  }

  /** The certificate to trust (NODE_EXTRA_CA_CERTS). */
  get certificateFile(): string {
    return join(this.dir, 'cert.pem');
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'monitoring-double-'));
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(this.dir, 'key.pem'), '-out', this.certificateFile,
    ]);
    const [key, cert] = await Promise.all([readFile(join(this.dir, 'key.pem')), readFile(this.certificateFile)]);
    this.monitoring = createHttpsServer({ key, cert }, (req, res) => void this.monitoringApi(req, res));
    this.metadata = createHttpServer((req, res) => this.metadataServer(req, res));
    await Promise.all([this.monitoring, this.metadata].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  }

  async stop(): Promise<void> {
    for (const server of [this.monitoring, this.metadata]) {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  /** Every time series written so far, across timeSeries.create calls. */
  get timeSeries(): any[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/timeSeries')).flatMap((r) => r.body.timeSeries as any[]);
  }

  private async monitoringApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0]!;
    this.requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body: text ? JSON.parse(text) : undefined });
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${this.accessToken}`) return json(401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
    if (req.method === 'GET' && /^\/v3\/projects\/[^/]+\/metricDescriptors\//.test(path)) {
      return json(404, { error: { code: 404, message: 'Could not find descriptor', status: 'NOT_FOUND' } });
    }
    if (req.method === 'POST' && /^\/v3\/projects\/[^/]+\/metricDescriptors$/.test(path)) return json(200, JSON.parse(text));
    if (req.method === 'POST' && /^\/v3\/projects\/[^/]+\/timeSeries$/.test(path)) {
      if (this.denyWrites) return json(403, { error: { code: 403, message: "Permission monitoring.timeSeries.create denied (or the resource may not exist).", status: 'PERMISSION_DENIED' } });
      return json(200, {});
    }
    json(404, { error: { code: 404, message: `no route ${req.method} ${path}`, status: 'NOT_FOUND' } });
  }

  private metadataServer(req: IncomingMessage, res: ServerResponse): void {
    const headers = { 'metadata-flavor': 'Google', 'content-type': 'application/json' };
    if (req.headers['metadata-flavor'] !== 'Google') return void res.writeHead(403, headers).end('{}');
    if ((req.url ?? '').startsWith('/computeMetadata/v1/instance/service-accounts/default/token')) {
      this.tokenRequests.push(req.url ?? '');
      return void res.writeHead(200, headers).end(JSON.stringify({ access_token: this.accessToken, expires_in: 3599, token_type: 'Bearer' }));
    }
    res.writeHead(404, headers).end('{}');
  }
}
