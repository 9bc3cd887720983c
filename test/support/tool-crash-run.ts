import { callsOf } from '../../src/domain/model/tool-call.js';
import { CrashRun } from './crash-run.js';
import { aWebhookSecret } from './signing.js';
import { ToolServer } from './tool-server.js';

/** What became of the tool calls: requests the tool got, and what the records say. */
export interface ToolCallVerdict {
  messages: number;
  /** Requests the tool server received. */
  requests: number;
  /** Messages whose tool was asked for more than once (under any call id). */
  calledTwice: string[];
  /** Call ids the tool received more than once. */
  callIdsRepeated: string[];
  /** Messages without a terminal state and a stored tool call. */
  lost: string[];
  /** Calls the records hold as `unknown` (their answer was lost to a kill). */
  unknown: number;
  ok: number;
  /** Calls stored `ok` whose call id the tool never received: an answer nobody gave. */
  okWithoutRequest: string[];
  /** Requests the tool received under a call id no record holds: a call made without its intent stored first. */
  requestsWithoutCall: string[];
}

/**
 * A crash world (CrashRun) where every message makes the model call a tool: the channel's settings
 * list `order_status` on a tool server on loopback, and each message asks for it with the
 * scripted model's `[[tool:order_status {"order": …}]]`, its order naming the message.
 */
export class ToolCrashRun extends CrashRun {
  readonly tools = new ToolServer();
  private readonly callbackSecret = aWebhookSecret();

  override async start(): Promise<void> {
    await Promise.all([super.start(), this.tools.start()]);
    await this.store.saveChannelSettings({
      accountId: `phone-${this.tag}`,
      tools: [{ name: 'order_status', description: 'An order', parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] }, url: `${this.tools.url}/order` }],
      updatedAt: Date.now(),
    });
  }

  /** Each message asks for the tool, its order naming the message. */
  protected override messageText(c: number, m: number): string {
    return `where is it [[tool:order_status {"order":"${this.tag}-c${c}-m${m}"}]]`;
  }

  /** The scripted model (it calls the tool the text names), tool calls signed, a 30 s lease. */
  override workerEnv(): Record<string, string> {
    return { ...super.workerEnv(), AI_PROVIDER: 'scripted', API_CALLBACK_SECRET: this.callbackSecret, CALLBACK_ALLOWED_HOSTS: '127.0.0.1', REPLY_LEASE_MS: '30000' };
  }

  override async stop(): Promise<void> {
    await Promise.allSettled([super.stop(), this.tools.stop()]);
  }

  async verdict(): Promise<ToolCallVerdict> {
    const byOrder = new Map<string, number>();
    for (const request of this.tools.requests) {
      const order = (request.body.arguments as { order?: string }).order ?? '';
      byOrder.set(order, (byOrder.get(order) ?? 0) + 1);
    }
    const records = await this.records();
    const calls = records.flatMap((record) => callsOf(record.toolRounds));
    const lost = this.enqueued.filter(({ messageId }) => {
      const record = records.find((r) => r.message.id === messageId);
      return !record || !['sent', 'send-unknown'].includes(record.state) || callsOf(record.toolRounds).length !== 1;
    });
    const requested = new Set(this.tools.requests.map((request) => request.body.callId));
    const stored = new Set(calls.map((call) => call.callId));
    return {
      messages: this.enqueued.length,
      requests: this.tools.requests.length,
      calledTwice: [...byOrder].filter(([, n]) => n > 1).map(([order]) => order),
      callIdsRepeated: [...this.tools.callsById()].filter(([, n]) => n > 1).map(([id]) => id),
      lost: lost.map(({ messageId }) => messageId),
      unknown: calls.filter((call) => call.state === 'unknown').length,
      ok: calls.filter((call) => call.state === 'ok').length,
      okWithoutRequest: calls.filter((call) => call.state === 'ok' && !requested.has(call.callId)).map((call) => call.callId),
      requestsWithoutCall: [...requested].filter((callId) => !stored.has(callId)),
    };
  }
}
