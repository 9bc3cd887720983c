import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';

/** W3C trace context of the work in progress: one conversation turn is one trace across roles. */
export interface TraceContext {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  sampled: boolean;
}

const storage = new AsyncLocalStorage<TraceContext>();

export const currentTrace = (): TraceContext | undefined => storage.getStore();

export function runWithTrace<T>(trace: TraceContext, fn: () => T): T {
  return storage.run(trace, fn);
}

/**
 * Makes the current context continue `trace` from here on, including for code that runs after the
 * caller returns within the same request (the access log line of a Pub/Sub push, whose trace
 * arrives in the message attributes, not in the HTTP headers).
 */
export function adoptTrace(trace: TraceContext): void {
  const current = storage.getStore();
  if (current) Object.assign(current, trace);
}

// Trace and span ids must be unique, not secret: they are cut from a pool of random bytes refilled
// 4 KiB at a time (a randomBytes call per id was ~5 % of the listener's CPU per request).
const pool = Buffer.alloc(4096);
let drawn = pool.length;

/** `bytes` random bytes as lowercase hex, never all zeros (W3C: an all-zero id is invalid). */
function randomHex(bytes: number): string {
  for (;;) {
    if (drawn + bytes > pool.length) {
      randomFillSync(pool);
      drawn = 0;
    }
    const hex = pool.toString('hex', drawn, drawn + bytes);
    drawn += bytes;
    if (!/^0+$/.test(hex)) return hex;
  }
}

export const newSpanId = (): string => randomHex(8);

export function newTrace(): TraceContext {
  return { traceId: randomHex(16), spanId: randomHex(8), sampled: false };
}

/** `traceparent: 00-<trace>-<span>-<flags>` (W3C). */
export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header?.trim().toLowerCase() ?? '');
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, sampled: (parseInt(match[3]!, 16) & 1) === 1 };
}

/** `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1` (span id decimal). */
export function parseCloudTraceContext(header: string | undefined): TraceContext | undefined {
  const match = /^([0-9a-fA-F]{32})(?:\/(\d{1,20}))?(?:;o=([01]))?$/.exec(header?.trim() ?? '');
  if (!match || /^0+$/.test(match[1]!)) return undefined;
  const span = match[2] ? BigInt(match[2]).toString(16).padStart(16, '0').slice(-16) : newSpanId();
  return { traceId: match[1]!.toLowerCase(), spanId: span === '0000000000000000' ? newSpanId() : span, sampled: match[3] === '1' };
}

export function formatTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.sampled ? '01' : '00'}`;
}

/** The trace of incoming headers or bus attributes (traceparent first), or a new one. */
export function traceFrom(get: (name: string) => string | undefined): TraceContext {
  return parseTraceparent(get('traceparent')) ?? parseCloudTraceContext(get('x-cloud-trace-context')) ?? newTrace();
}

/** Attributes that carry the current trace across Pub/Sub. */
export function traceAttributes(): Record<string, string> {
  const trace = currentTrace();
  return trace ? { traceparent: formatTraceparent(trace) } : {};
}
