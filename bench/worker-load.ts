// The worker benchmarks' load: C conversations of M messages each, published one by one on a bus,
// answered by a worker whose scripted model takes L ms per answer, timed until the last reply and
// checked for order per conversation. Shared by worker.ts (in process, emulators) and embedded.ts.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { InboundEvent } from '../src/domain/model/events.js';
import type { MessageBus } from '../src/domain/ports/message-bus.js';
import { createLogger } from '../src/observability/logger.js';
import { aMessage } from '../test/support/builders.js';
import type { RecordingReplyChannel } from '../test/support/recording-reply-channel.js';
import { ratio } from './support.js';

export const LATENCY_MS = Number(process.env.BENCH_MODEL_LATENCY_MS ?? 100);
export const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 20);
export const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10);
const TIMEOUT_MS = 120_000;

export interface Run {
  messagesPerSecond: number;
  ceiling: number;
  ratio: number;
  seconds: number;
  orderKept: boolean;
  sends: number;
}

export function theMessages(): { events: InboundEvent[]; order: Map<string, string[]> } {
  const order = new Map<string, string[]>();
  const events: InboundEvent[] = [];
  const start = Date.now();
  for (let c = 0; c < CONVERSATIONS; c++) {
    const participant = { id: `4917${String(c).padStart(8, '0')}${randomUUID().slice(0, 4).replace(/\D/g, '1')}`, name: 'Bench' };
    for (let m = 0; m < MESSAGES; m++) {
      const message = aMessage({ accountId: 'bench-phone', participant, receivedAt: start + m, sentAt: start + m, text: `message ${m}` });
      order.set(message.conversationId, [...(order.get(message.conversationId) ?? []), message.id]);
      events.push({ kind: 'message', message });
    }
  }
  return { events, order };
}

/** Publishes the events one by one (the bus keeps each conversation's order by its key) and waits for every answer. */
export async function publishAndWait(bus: MessageBus, channel: RecordingReplyChannel, events: InboundEvent[]): Promise<void> {
  const target = channel.sent.length + events.length;
  const started = performance.now();
  for (const event of events) await bus.publish('inbound', [{ event, orderingKey: event.kind === 'message' ? event.message.conversationId : '' }]);
  while (channel.sent.length < target) {
    if (performance.now() - started > TIMEOUT_MS) throw new Error(`only ${channel.sent.length} of ${target} answered within ${TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** One warm-up conversation (not measured), then C × M messages; `concurrency` / L is the ceiling. */
export async function measure(bus: MessageBus, channel: RecordingReplyChannel, concurrency: number): Promise<Run> {
  await publishAndWait(bus, channel, theMessages().events.slice(0, MESSAGES));
  channel.sent.length = 0;
  const { events, order } = theMessages();
  const started = performance.now();
  await publishAndWait(bus, channel, events);
  const seconds = (performance.now() - started) / 1000;
  const answered = new Map<string, string[]>();
  for (const { reply } of channel.sent) answered.set(reply.inReplyTo.conversationId, [...(answered.get(reply.inReplyTo.conversationId) ?? []), reply.inReplyTo.id]);
  const orderKept = [...order].every(([conversation, ids]) => JSON.stringify(answered.get(conversation)) === JSON.stringify(ids));
  const messagesPerSecond = events.length / seconds;
  const ceiling = concurrency / (LATENCY_MS / 1000);
  return { messagesPerSecond: Math.round(messagesPerSecond), ceiling, ratio: ratio(messagesPerSecond, ceiling), seconds: Number(seconds.toFixed(2)), orderKept, sends: channel.sent.length };
}

export const silent = () => (process.env.BENCH_DEBUG ? createLogger({ level: 'debug' }) : createLogger({ level: 'error', stream: new PassThrough() }));
