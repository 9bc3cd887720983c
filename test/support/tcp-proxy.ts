import { connect, createServer, type Server, type Socket } from 'node:net';
import { listenOnLoopback } from './ports.js';

export interface TcpProxyCounters {
  /** Connections accepted and forwarded. */
  accepted: number;
  /** Connections reset on arrival during an outage in `reset` mode (`refuse` mode is refused by the kernel, uncounted). */
  refused: number;
  /** Live connections the proxy reset (`resetAll`, or the start of an outage). */
  reset: number;
  /** Bytes from clients to the target, and back. */
  bytesUp: number;
  bytesDown: number;
}

/** How an outage turns new connections away: `refuse` stops listening (ECONNREFUSED), `reset` accepts and resets at once. */
export type OutageMode = 'refuse' | 'reset';

/**
 * A TCP proxy on 127.0.0.1 (a free port) in front of `target`, for putting faults between a client
 * and a real server (the Firestore emulator's gRPC): `latency(ms)` delays every chunk in both
 * directions (order kept), `resetAll()` resets every live connection (RST to the client),
 * `outage()` resets the live ones and turns new ones away until `heal()`, which listens again on
 * the same port. `host` is what a client is given (`127.0.0.1:PORT`).
 */
export class TcpProxy {
  readonly counters: TcpProxyCounters = { accepted: 0, refused: 0, reset: 0, bytesUp: 0, bytesDown: 0 };
  private server: Server | undefined;
  private port = 0;
  private delayMs = 0;
  private outageMode: OutageMode | undefined;
  private readonly links = new Set<Link>();

  constructor(private readonly target: { host: string; port: number }) {}

  /** A proxy in front of `host:port` (the form of FIRESTORE_EMULATOR_HOST). */
  static to(hostPort: string): TcpProxy {
    const at = hostPort.lastIndexOf(':');
    return new TcpProxy({ host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) });
  }

  /** Starts listening; resolves with `host`. */
  async start(): Promise<string> {
    await this.listen(0);
    return this.host;
  }

  get host(): string {
    if (this.port === 0) throw new Error('TcpProxy is not started');
    return `127.0.0.1:${this.port}`;
  }

  /** Connections currently forwarded. */
  get live(): number {
    return this.links.size;
  }

  get inOutage(): boolean {
    return this.outageMode !== undefined;
  }

  /** Every chunk, either way, is forwarded `ms` after it arrived (0: at once). */
  latency(ms: number): this {
    this.delayMs = ms;
    return this;
  }

  /** Resets every live connection (both sides); new connections are forwarded as before. Returns how many. */
  resetAll(): number {
    const count = this.links.size;
    for (const link of [...this.links]) link.reset();
    this.counters.reset += count;
    return count;
  }

  /** Resets every live connection and turns new ones away until `heal()`. */
  async outage(mode: OutageMode = 'refuse'): Promise<void> {
    if (this.outageMode) return;
    this.outageMode = mode;
    this.resetAll();
    // Closing waits for the server's connections to go: they were reset just above.
    if (mode === 'refuse') await this.close();
  }

  /** Ends an outage (listening again on the same port) and removes the latency. */
  async heal(): Promise<void> {
    this.delayMs = 0;
    const mode = this.outageMode;
    this.outageMode = undefined;
    if (mode === 'refuse') await this.listen(this.port);
  }

  async stop(): Promise<void> {
    this.outageMode = 'refuse';
    for (const link of [...this.links]) link.reset();
    await this.close();
  }

  private async listen(port: number): Promise<void> {
    // Half-open allowed: one side's end is forwarded after the data still delayed in the pipe.
    const server = createServer({ allowHalfOpen: true }, (client) => this.accept(client));
    // The port was ours a moment ago; another socket may hold it briefly while it closes.
    for (let attempt = 1; ; attempt++) {
      try {
        await listenOnLoopback(server, port);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  private close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.outageMode) {
      this.counters.refused += 1;
      client.resetAndDestroy();
      return;
    }
    this.counters.accepted += 1;
    const upstream = connect({ port: this.target.port, host: this.target.host, allowHalfOpen: true });
    const link = new Link(client, upstream, () => this.delayMs, this.counters);
    this.links.add(link);
    link.closed.then(() => this.links.delete(link), () => this.links.delete(link));
  }
}

/** One client connection and its upstream connection, forwarded both ways. */
class Link {
  readonly closed: Promise<void>;
  private readonly pipes: DelayedPipe[];

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    delay: () => number,
    counters: TcpProxyCounters,
  ) {
    this.pipes = [
      new DelayedPipe(client, upstream, delay, (n) => (counters.bytesUp += n)),
      new DelayedPipe(upstream, client, delay, (n) => (counters.bytesDown += n)),
    ];
    // An error on one side resets the other: the client sees the failure as a reset, like a real peer.
    client.on('error', () => this.reset());
    upstream.on('error', () => this.reset());
    const closedOne = (socket: Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.closed = Promise.all([closedOne(client), closedOne(upstream)]).then(() => undefined);
  }

  reset(): void {
    for (const pipe of this.pipes) pipe.dispose();
    if (!this.client.destroyed) this.client.resetAndDestroy();
    if (!this.upstream.destroyed) this.upstream.resetAndDestroy();
  }
}

/** Forwards `from` to `to`, each chunk `delay()` ms after it arrived, in order; `end` follows the last chunk. */
class DelayedPipe {
  private queue: { at: number; chunk: Buffer }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  private paused = false;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly delay: () => number,
    private readonly count: (bytes: number) => void,
  ) {
    from.on('data', (chunk: Buffer) => this.push(chunk));
    from.on('end', () => {
      this.ended = true;
      if (this.queue.length === 0) this.finish();
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
  }

  private push(chunk: Buffer): void {
    this.count(chunk.length);
    const ms = this.delay();
    if (ms <= 0 && this.queue.length === 0) return this.write(chunk);
    this.queue.push({ at: Date.now() + Math.max(0, ms), chunk });
    this.schedule();
  }

  private schedule(): void {
    const next = this.queue[0];
    if (this.timer || !next) return;
    this.timer = setTimeout(() => this.pump(), Math.max(0, next.at - Date.now()));
  }

  private pump(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.queue[0] && this.queue[0].at <= now) this.write(this.queue.shift()!.chunk);
    if (this.queue.length > 0) this.schedule();
    else if (this.ended) this.finish();
  }

  private write(chunk: Buffer): void {
    if (this.to.destroyed) return;
    if (this.to.write(chunk) || this.paused) return;
    // Backpressure: stop reading until the other side drains.
    this.paused = true;
    this.from.pause();
    this.to.once('drain', () => {
      this.paused = false;
      this.from.resume();
    });
  }

  private finish(): void {
    if (!this.to.destroyed) this.to.end();
  }
}
