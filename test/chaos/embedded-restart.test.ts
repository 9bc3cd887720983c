import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_CRASH_POINTS, type FaultPoint } from '../../src/composition/crash-points.js';
import { crashPointOf } from '../support/crash-workers.js';
import { DATABASE_KINDS, type DatabaseKind } from '../support/databases.js';
import { firstSends, historyOf, lastModelCallFor } from '../support/embedded-run-history.js';
import { EmbeddedRun, eventually, type TranscriptEntry } from '../support/embedded-run.js';
import { checkQueue, summaryOf, type QueueVerdict } from '../support/queue-checker.js';
import { expectEveryMessageOnce } from '../support/queue-verdict.js';

// Issue #18: `npm start` keeps its promises across a restart. For each point of the reply state
// machine, and for `after-accept` (the listener answered 200, no worker has handled the message),
// three processes run one after the other as `npm start` starts them (ROLE=all, no PROJECT_ID) on
// one data directory and one port, with the OpenAI and Graph doubles:
//   1. answers m1 of a conversation, then is killed with SIGKILL while idle;
//   2. runs with FAULT_CRASH_AT=<point>:1, gets m2 and kills itself at the point;
//   3. gets m1 and m2 again (Meta retries a webhook for days) and then m3, and settles.
// The crash suite's checker judges the whole: every message answered exactly once (or reported
// send-unknown at most once; the `sent` status the Graph double posts back settles those), none
// lost, no generation redone without a kill, none after a stored reply. The transcript must list
// m1–m3 with the replies that were really sent, the model must see m1, m2 and their replies as
// m3's history, and analytics must count three messages. Each point runs on embedded PGlite under
// DATA_DIR and on a fresh database of the run's PostgreSQL server (DATABASE_URL); the points of
// one database kind run side by side, so a 60 s reply lease a kill leaves is waited out once.
//
// Seen failing on main before the PostgreSQL chat store and bus (in-memory chat store and bus in
// `npm start`): process 3 knows nothing of m1 and m2, so the retries of both are answered a second
// time (2 duplicate sends at every point; m2 lost at after-accept until Meta's retry), and the
// transcript's replies are the regenerated ones, not those the customer got first; the first
// replies' ids are unknown to the new process, so it never settles. All 14 runs failed so, with
// `1 duplicated` (m1) or `2 duplicated` (m1 and m2: after-send, after-ack) in the checker's verdict.

const POINTS: readonly FaultPoint[] = EMBEDDED_CRASH_POINTS;
/** A process (tsx, PGlite with its migrations) may take a minute to start while six others start too. */
const READY_MS = 120_000;
/** Process 3 settles: at most one 60 s reply lease, then the conversation's queue. */
const SETTLE_MS = 150_000;
const DIE_MS = 60_000;
const MESSAGES = ['m1', 'm2', 'm3'] as const;

interface Outcome {
  firstSettled: boolean;
  /** The answer process 2's listener gave m2 before the process died (`no answer`: it died first). */
  acceptedBeforeCrash: number | 'no answer';
  diedAt: string;
  retries: (number | 'no answer')[];
  settled: boolean;
  verdict: QueueVerdict;
  transcript: TranscriptEntry[];
  /** The user and assistant turns of the last model call for m3. */
  historyOfM3: { role: string; content: string }[] | undefined;
  messagesIn: number | undefined;
}

async function runScenario(run: EmbeddedRun, point: FaultPoint): Promise<Outcome> {
  await run.start();
  const first = await run.spawn({ readyTimeoutMs: READY_MS });
  await run.post('m1');
  const firstSettled = await eventually(async () => {
    const m1 = (await run.transcript()).messages[0];
    // Idle: replied, the status applied, the interaction ingested.
    return m1?.delivery !== null && m1?.delivery !== undefined && (await run.settled(['m1']));
  }, Date.now() + SETTLE_MS);
  await first.kill();

  const second = await run.spawn({ crashAt: `${point}:1`, readyTimeoutMs: READY_MS });
  const acceptedBeforeCrash = await run.post('m2');
  const diedAt = crashPointOf(second, await second.waitForExit(DIE_MS));
  const killTimes = [Date.now()];

  const third = await run.spawn({ readyTimeoutMs: READY_MS });
  const retries = [await run.post('m1'), await run.post('m2'), await run.post('m3')];
  const settled = await eventually(() => run.settled(MESSAGES), Date.now() + SETTLE_MS);
  const transcript = (await run.transcript()).messages;
  const messagesIn = (await run.summary()).messagesIn;
  await third.kill();

  const verdict = checkQueue(historyOf(run, MESSAGES, transcript, { points: [diedAt], times: killTimes }));
  const historyOfM3 = lastModelCallFor(run, 'm3')?.filter((m) => m.role === 'user' || m.role === 'assistant').map(({ role, content }) => ({ role, content }));
  return { firstSettled, acceptedBeforeCrash, diedAt, retries, settled, verdict, transcript, historyOfM3, messagesIn };
}

describe.each(DATABASE_KINDS)('npm start restarted on the same data (%s)', (kind: DatabaseKind) => {
  const runs = new Map<FaultPoint, EmbeddedRun>();
  const outcomes = new Map<FaultPoint, Outcome | Error>();

  beforeAll(async () => {
    const started = Date.now();
    for (const point of POINTS) runs.set(point, new EmbeddedRun(`${kind}-${point}`, kind));
    await Promise.all(
      [...runs].map(async ([point, run]) => {
        try {
          const outcome = await runScenario(run, point);
          outcomes.set(point, outcome);
          console.log(`${summaryOf(`restart ${kind} ${point}`, outcome.verdict)}${outcome.settled ? '' : `, NOT SETTLED (logs: ${run.logFile})`}`);
        } catch (error) {
          outcomes.set(point, error as Error);
        }
      }),
    );
    console.log(`restart test on ${kind}: ${POINTS.length} points in ${Math.round((Date.now() - started) / 1000)} s`);
  }, 3 * READY_MS + 2 * SETTLE_MS + DIE_MS + 30_000);

  afterAll(async () => {
    await Promise.allSettled([...runs.values()].map((run) => run.stop()));
  }, 60_000);

  it.each(POINTS)('answers every message exactly once, keeps transcript and history when the process dies %s', (point) => {
    const outcome = outcomes.get(point);
    const run = runs.get(point)!;
    const logs = `process logs: ${run.logFile}`;
    if (outcome instanceof Error) throw outcome;
    expect(outcome, 'the scenario did not finish').toBeDefined();
    const { verdict } = outcome!;
    const [m1, m2, m3] = MESSAGES.map((name) => run.notificationOf(name));

    expect(outcome!.firstSettled, logs).toBe(true);
    expect(outcome!.diedAt, logs).toBe(point);
    // after-accept: the client had its 200 before the process died, so Meta would not retry it.
    if (point === 'after-accept') expect(outcome!.acceptedBeforeCrash, logs).toBe(200);
    expect(outcome!.retries, logs).toEqual([200, 200, 200]);

    // The crash suite's checker over the three processes (before `settled`: it says what went wrong).
    expect(verdict.killsByPoint).toEqual({ [point]: 1 });
    expectEveryMessageOnce(verdict, 3, logs);
    // Settled: every message terminal, every reply Graph accepted known to its record, every status taken.
    expect(outcome!.settled, logs).toBe(true);

    // The transcript survived the restarts, with the replies the customer really got.
    const sent = firstSends(run);
    expect(outcome!.transcript.map((entry) => entry.id), logs).toEqual([m1!.wamid, m2!.wamid, m3!.wamid]);
    for (const entry of outcome!.transcript) expect(entry.reply?.text, logs).toBe(sent.get(entry.id));

    // The model saw the whole conversation as m3's history.
    const reply = (wamid: string) => outcome!.transcript.find((entry) => entry.id === wamid)?.reply?.text;
    expect(outcome!.historyOfM3, logs).toEqual([
      { role: 'user', content: m1!.text },
      { role: 'assistant', content: reply(m1!.wamid) },
      { role: 'user', content: m2!.text },
      { role: 'assistant', content: reply(m2!.wamid) },
      { role: 'user', content: m3!.text },
    ]);
    expect(outcome!.messagesIn, logs).toBe(3);
  });
});
