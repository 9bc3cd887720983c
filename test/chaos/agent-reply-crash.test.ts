import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPubSub } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { AgentReplyCrashRun, type AgentReplyVerdict } from '../support/agent-reply-crash-run.js';
import { crashThenRecover, killAllWorkers } from '../support/crash-workers.js';

// Crash test of agent replies (issue #16): workers started as in production (ROLE=worker, push)
// kill themselves with SIGKILL right after the Graph API accepted an agent reply and before its
// outcome was stored (FAULT_CRASH_AT=after-send), while sending a stream of replies people wrote
// in conversations they took over; each killed worker is replaced, then one without crash points
// settles everything. No reply may reach the person twice, and none may be lost: a reply whose
// sender died is reported unknown once its lease is gone, never sent again.

const CONVERSATIONS = 3;
const REPLIES_PER_CONVERSATION = 3;
const MAX_KILLS = 4;
const CRASH_PHASE_MS = 45_000;
/** The worker without crash points: the 30 s lease a kill leaves behind, plus its start. */
const SETTLE_MS = 70_000;
const STARTUP_MS = 90_000;

const pubsub = createPubSub(inject('emulatorProject'), { apiEndpoint: inject('pubsubEmulatorHost') });
let run: AgentReplyCrashRun;
let outcome: { verdict: AgentReplyVerdict; settled: boolean; kills: string[] } | undefined;

beforeAll(async () => {
  const started = Date.now();
  run = new AgentReplyCrashRun('agent-reply-after-send', {
    pubsub,
    pubsubProject: inject('emulatorProject'),
    pubsubHost: inject('pubsubEmulatorHost'),
    firestoreHost: inject('firestoreEmulatorHost'),
    conversations: CONVERSATIONS,
    messagesPerConversation: REPLIES_PER_CONVERSATION,
  });
  await run.start();
  await run.publish();
  const { settled } = await crashThenRecover(run, {
    // The first worker dies at its first send; later ones at random.
    crashAt: ['after-send:1', 'after-send:0.4'],
    maxKills: MAX_KILLS,
    crashUntil: started + CRASH_PHASE_MS,
    settleBy: started + CRASH_PHASE_MS + SETTLE_MS,
    startupMs: STARTUP_MS,
  });
  outcome = { verdict: await run.verdict(), settled, kills: [...run.kills] };
  const { verdict } = outcome;
  console.log(
    `agent reply crash test: ${run.kills.length} kills after-send: ${verdict.replies} replies, ${verdict.sent} sent, ${verdict.unknown} send-unknown, ` +
      `${verdict.duplicated.length} sent twice, ${verdict.lost.length} lost (${Math.round((Date.now() - started) / 1000)} s)`,
  );
}, STARTUP_MS + CRASH_PHASE_MS + SETTLE_MS + 25_000);

afterAll(async () => {
  await killAllWorkers();
  await run?.stop();
  await pubsub.close();
}, 30_000);

describe('Worker killed after sending an agent reply', () => {
  it('sends no agent reply twice and loses none: a reply whose sender died is unknown', () => {
    expect(outcome, 'the run did not finish').toBeDefined();
    const { verdict, settled, kills } = outcome!;
    const logs = `worker logs: ${run.logFile}`;
    expect(kills.length, logs).toBeGreaterThanOrEqual(1);
    expect(new Set(kills), logs).toEqual(new Set(['after-send']));
    expect(settled, logs).toBe(true);
    expect(verdict.duplicated, logs).toEqual([]);
    expect(verdict.lost, logs).toEqual([]);
    // Each kill after a send leaves that reply unknown (its lease ran out): never resent.
    expect(verdict.unknown, logs).toBeGreaterThanOrEqual(1);
    expect(verdict.sent + verdict.unknown, logs).toBe(CONVERSATIONS * REPLIES_PER_CONVERSATION);
  });
});
