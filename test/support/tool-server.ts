import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOnLoopback } from './ports.js';
import { RecordedRequests } from './recorded-requests.js';

export interface ToolRequestSeen {
  path: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes received, for signature checks. */
  rawBody: Buffer;
  body: { tool: string; arguments: unknown; callId: string; conversationId: string };
  dropped?: boolean;
}

/** What the server does with the next request: answer (status, raw body), read it and drop the connection, or never answer. */
export type ToolStep = { status?: number; body?: string } | 'drop' | 'hang';

/**
 * A business's tool endpoint on 127.0.0.1, speaking the wire format of CONTRACT.md: it reads the
 * signed POST `{tool, arguments, callId, conversationId}`, records it, and answers 200 with
 * `{"tool", "echo": arguments, "call": n}` (n counts the requests of that callId), unless a step
 * was scripted: another status or body, or a drop after the whole request was read.
 */
export class ToolServer {
  private readonly recorded = new RecordedRequests<ToolRequestSeen>();
  private script: ToolStep[] = [];
  private server: Server | undefined;

  get requests(): readonly ToolRequestSeen[] {
    return this.recorded.items;
  }

  /** How many requests each callId got: a call made twice shows as 2. */
  callsById(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const request of this.requests) counts.set(request.body.callId, (counts.get(request.body.callId) ?? 0) + 1);
    return counts;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        const body = JSON.parse(rawBody.toString('utf8')) as ToolRequestSeen['body'];
        const step = this.script.shift() ?? {};
        const dropped = step === 'drop';
        this.recorded.push({ path: req.url ?? '/', headers: req.headers, rawBody, body, ...(dropped ? { dropped } : {}) });
        if (step === 'drop') {
          res.socket?.destroy();
          return;
        }
        if (step === 'hang') return;
        const call = this.callsById().get(body.callId) ?? 0;
        res.writeHead(step.status ?? 200, { 'content-type': 'application/json' }).end(step.body ?? JSON.stringify({ tool: body.tool, echo: body.arguments, call }));
      });
    });
    this.server = server;
    await listenOnLoopback(server);
    return this.url;
  }

  get url(): string {
    if (!this.server) throw new Error('ToolServer is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  next(...steps: ToolStep[]): this {
    this.script.push(...steps);
    return this;
  }

  waitForRequests(count: number, timeoutMs = 5_000): Promise<ToolRequestSeen[]> {
    return this.recorded.waitFor(count, timeoutMs, 'tool server');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
