import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPubSub } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { crashThenRecover, killAllWorkers } from '../support/crash-workers.js';
import { ToolCrashRun, type ToolCallVerdict } from '../support/tool-crash-run.js';

// Crash test of tool calls (issue #17): workers started as in production (ROLE=worker, push) kill
// themselves with SIGKILL right after a channel's tool answered and before that answer was stored
// (FAULT_CRASH_AT=after-tool-call), while every message makes the model call the tool; each killed
// worker is replaced, then one without crash points settles everything. No tool may be called
// twice for a message: a call whose answer was lost is reported unknown to the model, never repeated.

const CONVERSATIONS = 3;
const MESSAGES_PER_CONVERSATION = 3;
const MAX_KILLS = 4;
const CRASH_PHASE_MS = 45_000;
/** The worker without crash points: the 30 s lease a kill leaves behind, plus its start. */
const SETTLE_MS = 70_000;
const STARTUP_MS = 90_000;

const pubsub = createPubSub(inject('emulatorProject'), { apiEndpoint: inject('pubsubEmulatorHost') });
let run: ToolCrashRun;
let outcome: { verdict: ToolCallVerdict; settled: boolean; kills: string[] } | undefined;

beforeAll(async () => {
  const started = Date.now();
  run = new ToolCrashRun('tool-call-after-call', {
    pubsub,
    pubsubProject: inject('emulatorProject'),
    pubsubHost: inject('pubsubEmulatorHost'),
    firestoreHost: inject('firestoreEmulatorHost'),
    conversations: CONVERSATIONS,
    messagesPerConversation: MESSAGES_PER_CONVERSATION,
  });
  await run.start();
  await run.publish();
  const { settled } = await crashThenRecover(run, {
    // The first worker dies at its first tool answer; later ones at random.
    crashAt: ['after-tool-call:1', 'after-tool-call:0.4'],
    maxKills: MAX_KILLS,
    crashUntil: started + CRASH_PHASE_MS,
    settleBy: started + CRASH_PHASE_MS + SETTLE_MS,
    startupMs: STARTUP_MS,
  });
  outcome = { verdict: await run.verdict(), settled, kills: [...run.kills] };
  const { verdict } = outcome;
  console.log(
    `tool call crash test: ${run.kills.length} kills after-tool-call: ${verdict.messages} messages, ${verdict.requests} tool requests, ${verdict.ok} ok, ${verdict.unknown} unknown, ` +
      `${verdict.calledTwice.length} called twice, ${verdict.lost.length} lost, ${verdict.messages - verdict.requests} calls unknown before their request arrived (${Math.round((Date.now() - started) / 1000)} s)`,
  );
}, STARTUP_MS + CRASH_PHASE_MS + SETTLE_MS + 25_000);

afterAll(async () => {
  await killAllWorkers();
  await run?.stop();
  await pubsub.close();
}, 30_000);

describe('Worker killed between a tool call and its stored answer', () => {
  it('never calls a tool twice for a message and loses no message: a call whose answer was lost is unknown', () => {
    expect(outcome, 'the run did not finish').toBeDefined();
    const { verdict, settled, kills } = outcome!;
    const logs = `worker logs: ${run.logFile}`;
    expect(kills.length, logs).toBeGreaterThanOrEqual(1);
    expect(new Set(kills), logs).toEqual(new Set(['after-tool-call']));
    expect(settled, logs).toBe(true);
    expect(verdict.calledTwice, logs).toEqual([]);
    expect(verdict.callIdsRepeated, logs).toEqual([]);
    expect(verdict.lost, logs).toEqual([]);
    // Each message's call was made at most once. A kill can also take a call of another message
    // in the same worker after its intent was stored and before its request reached the tool: that
    // call is unknown too (it may have left), so the tool may see fewer requests than messages.
    expect(verdict.requests, logs).toBeLessThanOrEqual(CONVERSATIONS * MESSAGES_PER_CONVERSATION);
    expect(verdict.requestsWithoutCall, logs).toEqual([]);
    expect(verdict.okWithoutRequest, logs).toEqual([]);
    // Each kill after a call leaves that call's answer unstored: it is unknown, never made again.
    expect(verdict.unknown, logs).toBeGreaterThanOrEqual(1);
    expect(verdict.ok + verdict.unknown, logs).toBe(CONVERSATIONS * MESSAGES_PER_CONVERSATION);
  });
});
