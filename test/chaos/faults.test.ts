import { afterAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { FaultRig, type Emulators } from '../support/fault-rig.js';
import { verdictOf, type Verdict } from '../support/fault-verdict.js';

// Faults injected while a stream of conversations flows through a real worker process (pull
// mode, Pub/Sub and Firestore emulators): latency, connection resets and a 30 s outage, in the
// OpenAI double, in the Graph API double (and a TCP proxy in front of it) and in a TCP proxy in
// front of the Firestore emulator. After healing, every message must be answered exactly once, in
// order, and stored as sent, or as send-unknown when the Graph API accepted its send but the answer
// was dropped (the worker cannot know it went out, so it must not send it again).

const emulators: Emulators = {
  project: inject('emulatorProject'),
  pubsubHost: inject('pubsubEmulatorHost'),
  firestoreHost: inject('firestoreEmulatorHost'),
};

const CONVERSATIONS = 5;
const PER_CONVERSATION = 3;
const OUTAGE_MS = 30_000;
/** Bounds the wait for everything to finish after healing (the worker's gRPC channel alone may take ~30 s to reconnect to Firestore). */
const SETTLE_MS = 100_000;

const rigs: FaultRig[] = [];
afterAll(async () => {
  await Promise.allSettled(rigs.map((rig) => rig.stop()));
}, 60_000);

async function startRigs(...labels: string[]): Promise<FaultRig[]> {
  const started = labels.map((label) => new FaultRig(label, emulators));
  rigs.push(...started);
  onTestFailed(() => {
    for (const rig of started) process.stderr.write(`worker log of "${rig.label}": ${rig.logFile}\n`);
  });
  await Promise.all(started.map((rig) => rig.start()));
  return started;
}

const stream = (rig: FaultRig, gapMs: number) => rig.stream({ conversations: CONVERSATIONS, perConversation: PER_CONVERSATION, gapMs });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for the rig to settle, stops it (nothing in flight any more), and judges every message;
 * prints the summary line. A rig that does not settle is judged on what it stored by then.
 */
async function finish(rig: FaultRig, startedAt: number): Promise<Verdict> {
  let unsettled: string | undefined;
  const records = await rig.settle(SETTLE_MS).catch(async (error: Error) => {
    unsettled = error.message;
    return rig.records();
  });
  await rig.stop();
  const verdict = verdictOf(rig, records, Date.now() - startedAt);
  if (unsettled) verdict.problems.unshift(unsettled);
  console.log(verdict.summary);
  return verdict;
}

function expectEachAnsweredOnce(verdict: Verdict): void {
  expect(verdict.problems).toEqual([]);
  expect(verdict.duplicates).toBe(0);
  expect(verdict.answeredOnce).toBe(CONVERSATIONS * PER_CONVERSATION);
}

describe('faults while conversations flow through the worker', () => {
  it('answers every message once, in order, when OpenAI, the Graph API and Firestore are slow', { timeout: 180_000 }, async () => {
    const [rig] = await startRigs('latency openai 400 ms, graph 250 ms, firestore 25 ms per chunk');
    const startedAt = Date.now();
    rig!.openai.faults.latency(400);
    rig!.graph.faults.latency(250);
    rig!.proxy.latency(25);

    await stream(rig!, 1_000);
    // Two thirds answered under latency, the rest after healing (a rig that gets stuck is judged below).
    await rig!.graph.waitForAcceptedSends(Math.ceil((CONVERSATIONS * PER_CONVERSATION * 2) / 3), 45_000).catch(() => undefined);
    rig!.openai.faults.heal();
    rig!.graph.faults.heal();
    await rig!.proxy.heal();

    expect(rig!.openai.faults.counters.delayed).toBeGreaterThan(0);
    expect(rig!.graph.faults.counters.delayed).toBeGreaterThan(0);
    expectEachAnsweredOnce(await finish(rig!, startedAt));
  });

  it('answers every message once, in order, when connections to OpenAI and Firestore are reset and the Graph API drops answers after accepting', { timeout: 180_000 }, async () => {
    const [rig] = await startRigs('connection resets openai 3 + 25 %, graph drops after accept 2 sends + 25 %, firestore every 0.7 s');
    const startedAt = Date.now();
    // OpenAI: the first three requests, then a quarter of them at random. Graph: the first two
    // sends, then a quarter of all requests, are accepted and their connection closed unanswered.
    rig!.openai.faults.resetNext(3).resetRate(0.25);
    rig!.graph.dropNext(2);
    rig!.graph.faults.dropRate(0.25);
    const firestoreResets = setInterval(() => rig!.proxy.resetAll(), 700);
    try {
      await stream(rig!, 1_500);
      // Two thirds answered under resets, the rest after healing (a rig that gets stuck is judged below).
      await rig!.graph.waitForAcceptedSends(Math.ceil((CONVERSATIONS * PER_CONVERSATION * 2) / 3), 45_000).catch(() => undefined);
    } finally {
      clearInterval(firestoreResets);
    }
    rig!.openai.faults.heal();
    rig!.graph.faults.heal();

    expect(rig!.openai.faults.counters.reset).toBeGreaterThan(0);
    expect(rig!.proxy.counters.reset).toBeGreaterThan(0);
    const verdict = await finish(rig!, startedAt);
    expectEachAnsweredOnce(verdict);
    // Each dropped send is one reply out whose outcome the worker could not know: send-unknown, never resent.
    const droppedSends = rig!.graph.sends.filter((send) => send.dropped && send.outcome.kind === 'accepted').length;
    expect(droppedSends).toBeGreaterThanOrEqual(2);
    expect(verdict.unknown).toBe(droppedSends);
  });

  it('answers every message once, in order, after a 30 s outage of OpenAI, of the Graph API and of Firestore', { timeout: 180_000 }, async () => {
    // One rig per outage, side by side in the same 30 s window.
    const [openai, graph, firestore] = await startRigs('openai outage 30 s', 'graph outage 30 s', 'firestore outage 30 s');
    const startedAt = Date.now();
    openai!.openai.faults.outage();
    // Refused connections: nothing left, so the worker may retry these sends (a reset after the
    // request was written would be an unknown outcome, never retried).
    await graph!.graphProxy.outage('refuse');
    await firestore!.proxy.outage('refuse');

    // The stream flows during the first part of the outage; nothing can be answered until it heals.
    await Promise.all([openai!, graph!, firestore!].map((rig) => stream(rig, 4_000)));
    await sleep(OUTAGE_MS - (Date.now() - startedAt));
    // Each outage held its rig back: nothing reached the model, the Graph API or the store.
    expect(openai!.openai.faults.counters.refused + openai!.openai.faults.counters.reset).toBeGreaterThan(0);
    expect(openai!.openai.chatRequests.filter((r) => r.outcome.kind === 'answered')).toEqual([]);
    expect(graph!.graph.requests).toEqual([]);
    const refusedSends = [...(await graph!.records()).values()].filter((record) => record.failure?.reason === 'whatsapp_unreachable');
    expect(refusedSends.length).toBeGreaterThan(0);
    expect((await firestore!.records()).size).toBe(0);
    openai!.openai.faults.heal();
    await graph!.graphProxy.heal();
    await firestore!.proxy.heal();

    // Every rig finishes (and prints its line) before any is judged.
    const verdicts = await Promise.all([openai!, graph!, firestore!].map((rig) => finish(rig, startedAt)));
    expect(verdicts.map((verdict) => verdict.problems)).toEqual([[], [], []]);
    for (const verdict of verdicts) expectEachAnsweredOnce(verdict);
  });
});
