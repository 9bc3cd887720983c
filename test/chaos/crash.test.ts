import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPubSub } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { CRASH_POINTS, type CrashPoint } from '../../src/composition/crash-points.js';
import { CrashRun } from '../support/crash-run.js';
import { crashThenRecover, killAllWorkers } from '../support/crash-workers.js';
import { checkQueue, summaryOf, type QueueVerdict } from '../support/queue-checker.js';
import { expectEveryMessageOnce } from '../support/queue-verdict.js';

// Crash tests (issue #7): for each point of the reply state machine, workers started as in
// production (`--import tsx src/main.ts`, ROLE=worker) kill themselves with SIGKILL there
// (FAULT_CRASH_AT) while answering a stream of messages over several conversations; each killed
// worker is replaced by a fresh one with the same setting, and a worker without crash points
// finishes. A total-queue checker then judges the whole run: nothing lost, nothing sent twice,
// send-unknown reported, each conversation answered in order, every second model call attributed
// to the kill that caused it and none after a reply was stored. The Graph double posts Meta's
// `sent` status for every accepted reply: it settles replies whose sender died after the send
// (counted as resolved).
//
// The six points run side by side, each in its own world (topics, subscription, Firestore
// project, doubles), so the 60 s reply lease a kill may leave behind is waited out once, in
// parallel. The workers take Pub/Sub push deliveries: this emulator never notices that a killed
// streaming-pull client is gone and keeps routing ordering keys to its dead stream for 20–120 s,
// whereas a push to a dead worker fails at once and is retried every second.

const CONVERSATIONS = 4;
const MESSAGES_PER_CONVERSATION = 3;
/** Chance of dying at each pass of the point: a worker lives for a message or two. */
const PROBABILITY: Record<CrashPoint, number> = {
  'after-receive': 0.25,
  'after-claim': 0.3,
  'after-model': 0.3,
  'after-store-reply': 0.3,
  'after-send': 0.3,
  'after-ack': 0.25,
};
/** No new crashing worker after this many kills of one point. */
const MAX_KILLS = 8;
/** No new crashing worker after this long (a worker takes 4–12 s to start on 2 cores). */
const CRASH_PHASE_MS = 60_000;
/** Then the worker without crash points settles everything: at most one 60 s reply lease plus its start. */
const SETTLE_MS = 95_000;
/** The phases count from the first worker being ready: on a busy machine its start alone may take a minute. */
const STARTUP_MS = 90_000;

const pubsub = createPubSub(inject('emulatorProject'), { apiEndpoint: inject('pubsubEmulatorHost') });
const runs = new Map<CrashPoint, CrashRun>();
const outcomes = new Map<CrashPoint, { verdict: QueueVerdict; settled: boolean }>();

beforeAll(async () => {
  const started = Date.now();
  for (const point of CRASH_POINTS) {
    runs.set(
      point,
      new CrashRun(point, {
        pubsub,
        pubsubProject: inject('emulatorProject'),
        pubsubHost: inject('pubsubEmulatorHost'),
        firestoreHost: inject('firestoreEmulatorHost'),
        conversations: CONVERSATIONS,
        messagesPerConversation: MESSAGES_PER_CONVERSATION,
      }),
    );
  }
  await Promise.all(
    [...runs].map(async ([point, run]) => {
      await run.start();
      await run.publish();
      const { settled, workers } = await crashThenRecover(run, {
        // The first worker dies at its first pass, so every point is exercised; later ones at random.
        crashAt: [`${point}:1`, `${point}:${PROBABILITY[point]}`],
        maxKills: MAX_KILLS,
        crashUntil: started + CRASH_PHASE_MS,
        settleBy: started + CRASH_PHASE_MS + SETTLE_MS,
        startupMs: STARTUP_MS,
      });
      const verdict = checkQueue(await run.history());
      outcomes.set(point, { verdict, settled });
      const { emitted, failed, dropped } = run.statusReport;
      console.log(
        `${summaryOf(`crash ${point}:${PROBABILITY[point]}`, verdict)}; ${workers} workers, ${dropped} Graph answers dropped, ${emitted} sent statuses${failed ? ` (${failed} not published)` : ''}` +
          `${settled ? '' : `, NOT SETTLED (logs: ${run.logFile})`}`,
      );
    }),
  );
  const verdicts = [...outcomes.values()].map((outcome) => outcome.verdict);
  const sum = (count: (verdict: QueueVerdict) => number) => verdicts.reduce((total, verdict) => total + count(verdict), 0);
  const kills = sum((verdict) => Object.values(verdict.killsByPoint).reduce((total, n) => total + n, 0));
  console.log(
    `crash test: ${kills} kills over ${CRASH_POINTS.length} points: ${sum((v) => v.lost.length)} lost, ${sum((v) => v.duplicated.length)} duplicate sends, ` +
      `${sum((v) => v.unknown.length)} send-unknown, ${sum((v) => v.resolved.length)} unknown outcomes resolved by a status, ` +
      `${sum((v) => v.regenerations.length)} regenerations (${sum((v) => v.secondCalls.filter((c) => c.kill).length)} second model calls each after a kill, ` +
      `${sum((v) => v.afterStored.length)} after a stored reply) (${Math.round((Date.now() - started) / 1000)} s)`,
  );
}, STARTUP_MS + CRASH_PHASE_MS + SETTLE_MS + 25_000);

afterAll(async () => {
  await killAllWorkers();
  await Promise.allSettled([...runs.values()].map((run) => run.stop()));
  await pubsub.close();
}, 30_000);

describe('Worker killed at each point of the reply state machine', () => {
  it.each(CRASH_POINTS)('loses no message and sends none twice when workers die %s', (point) => {
    const outcome = outcomes.get(point);
    expect(outcome, 'the run of this point did not finish').toBeDefined();
    const { verdict, settled } = outcome!;
    const logs = `worker logs: ${runs.get(point)!.logFile}`;
    const total = CONVERSATIONS * MESSAGES_PER_CONVERSATION;

    // The point was really exercised, and only it killed workers.
    expect(Object.keys(verdict.killsByPoint), logs).toEqual([point]);
    expect(verdict.killsByPoint[point], logs).toBeGreaterThanOrEqual(1);

    expect(settled, logs).toBe(true);
    expectEveryMessageOnce(verdict, total, logs);
  });
});
