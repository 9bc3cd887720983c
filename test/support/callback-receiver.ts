import { listenOnLoopback } from './ports.js';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RecordedRequests } from './recorded-requests.js';

export interface CallbackRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes received, for signature checks. */
  rawBody: Buffer;
  /** True when the receiver took the request and closed the connection without answering (`dropNext`). */
  dropped?: boolean;
}

type Answer = { status: number; headers?: Record<string, string> };
type Step = Answer | 'drop';

/**
 * An API-channel client's callback endpoint on 127.0.0.1: records every request (headers and raw
 * body) and answers 204, or what the test scripted for the next requests: another status, or a
 * drop (the whole request is read and recorded, then the connection closes without an answer).
 */
export class CallbackReceiver {
  private readonly recorded = new RecordedRequests<CallbackRequest>();
  private script: Step[] = [];
  private server: Server | undefined;

  get requests(): readonly CallbackRequest[] {
    return this.recorded.items;
  }

  async start(): Promise<{ baseUrl: string }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const step = this.script.shift() ?? { status: 204 };
        const dropped = step === 'drop';
        this.recorded.push({ method: req.method ?? '', path: req.url ?? '/', headers: req.headers, rawBody: Buffer.concat(chunks), ...(dropped ? { dropped } : {}) });
        if (dropped) res.socket?.destroy();
        else answer(res, step);
      });
    });
    this.server = server;
    await listenOnLoopback(server);
    return { baseUrl: this.baseUrl };
  }

  get baseUrl(): string {
    if (!this.server) throw new Error('CallbackReceiver is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next `count` requests get this answer instead of 204. */
  answerNext(count: number, answer: Answer): this {
    this.script.push(...Array.from({ length: count }, () => answer));
    return this;
  }

  /** The next `count` requests are read in full and recorded, then their connection is closed unanswered. */
  dropNext(count: number): this {
    this.script.push(...Array.from({ length: count }, (): Step => 'drop'));
    return this;
  }

  waitForRequests(count: number, timeoutMs = 5_000): Promise<CallbackRequest[]> {
    return this.recorded.waitFor(count, timeoutMs, 'callback receiver');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function answer(res: ServerResponse, { status, headers }: Answer): void {
  res.writeHead(status, headers).end(status === 204 ? undefined : `status ${status}`);
}
