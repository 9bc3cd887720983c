import { expect } from 'vitest';
import type { QueueVerdict } from './queue-checker.js';

/**
 * What the crash suites ask of a whole run's verdict: `total` messages, none lost, sent twice,
 * left inconsistent, unanswered, unexpected or out of order; no generation redone more often than
 * kills explain, no second model call without a kill or after a stored reply; each answered once
 * or reported send-unknown. `logs` says where to look when one fails.
 */
export function expectEveryMessageOnce(verdict: QueueVerdict, total: number, logs: string): void {
  expect(verdict.total).toBe(total);
  expect(verdict.lost, logs).toEqual([]);
  expect(verdict.duplicated, logs).toEqual([]);
  expect(verdict.inconsistent, logs).toEqual([]);
  expect(verdict.unanswered, logs).toEqual([]);
  expect(verdict.unexpected, logs).toEqual([]);
  expect(verdict.outOfOrder, logs).toEqual([]);
  // A generation is redone only after a kill interrupted it: never more often than there were kills.
  expect(verdict.overGenerated, logs).toEqual([]);
  // Every second model call came after a kill that interrupted the first, and none after the reply was stored.
  expect(verdict.secondCalls.filter((call) => !call.kill), logs).toEqual([]);
  expect(verdict.afterStored, logs).toEqual([]);
  // Every message got exactly one reply, except those reported as send-unknown (at most one each).
  expect(verdict.ok.length + verdict.unknown.length, logs).toBe(total);
}
