import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What a double does with a request once the faults had their say: `drop` means handle it as
 * usual (a send is accepted) and then close the connection instead of answering.
 */
export type Admission = 'pass' | 'reset' | 'gone' | 'drop';

export interface HttpFaultCounters {
  /** Requests held back by `latency`. */
  delayed: number;
  /** Requests whose connection was reset without an answer (`resetNext`, `resetRate`, or killed by an outage). */
  reset: number;
  /** Connections reset on arrival during an outage. */
  refused: number;
  /** Requests handled and then closed without an answer (`dropNext`, `dropRate`). */
  dropped: number;
}

/**
 * Faults a local HTTP double injects while traffic flows, toggled by the test at any moment:
 * `latency(ms)` holds every request back before it is answered; `resetNext(n)` and `resetRate(p)`
 * reset the connection of a request (RST, no answer) after reading it; `outage(ms?)` resets every
 * live connection and every new one on arrival until `heal()` (or until `ms` have passed);
 * `dropNext(n)` and `dropRate(p)` let the double handle a request (a send is accepted) and then close
 * the connection without answering, the lost answer no client can tell from a reset. `heal()`
 * clears every fault. A double calls `attach(server)` once and `admit(req)` for each request.
 */
export class HttpFaults {
  readonly counters: HttpFaultCounters = { delayed: 0, reset: 0, refused: 0, dropped: 0 };
  private latencyMs = 0;
  private resetProbability = 0;
  private resetCount = 0;
  private dropProbability = 0;
  private dropCount = 0;
  private down = false;
  private healTimer: NodeJS.Timeout | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly waits = new Map<NodeJS.Timeout, () => void>();

  /** Tracks the server's connections, so an outage can kill live ones and refuse new ones. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      if (this.down) {
        this.counters.refused += 1;
        socket.resetAndDestroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get inOutage(): boolean {
    return this.down;
  }

  /** Every request waits `ms` before it is handled (0 turns it off). */
  latency(ms: number): this {
    this.latencyMs = ms;
    return this;
  }

  /** The next `count` requests are read, then their connection is reset without an answer. */
  resetNext(count: number): this {
    this.resetCount += count;
    return this;
  }

  /** Each request is reset with this probability (0 turns it off). */
  resetRate(probability: number): this {
    this.resetProbability = probability;
    return this;
  }

  /** The next `count` requests are handled as usual, then their connection is closed instead of answered. */
  dropNext(count: number): this {
    this.dropCount += count;
    return this;
  }

  /** Each request is dropped (handled, then closed unanswered) with this probability (0 turns it off). */
  dropRate(probability: number): this {
    this.dropProbability = probability;
    return this;
  }

  /** Kills live connections and resets new ones on arrival until `heal()`, or for `ms` when given. */
  outage(ms?: number): this {
    this.down = true;
    for (const socket of this.sockets) this.kill(socket);
    clearTimeout(this.healTimer);
    if (ms !== undefined) this.healTimer = setTimeout(() => this.heal(), ms);
    return this;
  }

  /** Ends the outage and clears latency and resets. */
  heal(): this {
    clearTimeout(this.healTimer);
    this.healTimer = undefined;
    this.down = false;
    this.latencyMs = 0;
    this.resetProbability = 0;
    this.resetCount = 0;
    return this;
  }

  /** Applies the faults to one request: `pass` to answer it, `reset` when its connection was reset, `gone` when the client left. */
  async admit(req: IncomingMessage): Promise<Admission> {
    if (this.latencyMs > 0) {
      this.counters.delayed += 1;
      await this.wait(this.latencyMs);
    }
    if (this.down) {
      this.kill(req.socket);
      return 'reset';
    }
    if (req.socket.destroyed) return 'gone';
    const reset = this.resetCount > 0 || (this.resetProbability > 0 && Math.random() < this.resetProbability);
    if (!reset) return this.dropped() ? 'drop' : 'pass';
    if (this.resetCount > 0) this.resetCount -= 1;
    this.kill(req.socket);
    return 'reset';
  }

  /** Ends pending waits (their requests are then treated as gone) and any scheduled heal. */
  dispose(): void {
    clearTimeout(this.healTimer);
    for (const [timer, resolve] of this.waits) {
      clearTimeout(timer);
      resolve();
    }
    this.waits.clear();
  }

  private dropped(): boolean {
    const drop = this.dropCount > 0 || (this.dropProbability > 0 && Math.random() < this.dropProbability);
    if (!drop) return false;
    if (this.dropCount > 0) this.dropCount -= 1;
    this.counters.dropped += 1;
    return true;
  }

  private kill(socket: Socket): void {
    if (socket.destroyed) return;
    this.counters.reset += 1;
    socket.resetAndDestroy();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve();
      }, ms);
      this.waits.set(timer, resolve);
    });
  }
}
