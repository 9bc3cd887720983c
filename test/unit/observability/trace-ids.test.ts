import { describe, expect, it } from 'vitest';
import { formatTraceparent, newSpanId, newTrace, parseTraceparent } from '../../../src/observability/trace-context.js';

describe('new trace and span ids', () => {
  it('are W3C ids: 32 and 16 lowercase hex characters, valid in a traceparent', () => {
    for (let i = 0; i < 1_000; i++) {
      const trace = newTrace();
      expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(parseTraceparent(formatTraceparent(trace))).toEqual(trace);
    }
  });

  it('never repeat, across many refills of the pool they are drawn from', () => {
    const ids = new Set<string>();
    // 4 KiB per refill, 24 bytes per trace: ~10 refills each way.
    for (let i = 0; i < 2_000; i++) {
      const trace = newTrace();
      ids.add(trace.traceId);
      ids.add(trace.spanId);
      ids.add(newSpanId());
    }
    expect(ids.size).toBe(6_000);
  });
});
