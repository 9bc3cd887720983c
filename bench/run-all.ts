// `npm run bench`: every benchmark in turn (each in a process of its own, so none disturbs the
// next), then bench/RESULTS.md from their results. Bounded: a few minutes in all.
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbeddedResult } from './embedded.js';
import { BENCH_DIR, machine, PROJECT_ROOT } from './support.js';

const BENCHES = ['listener', 'worker', 'reply-overhead', 'embedded', 'api-summary', 'cold-start'];
// `npm run bench -- table` rewrites RESULTS.md from the results/*.json already there, running nothing.
const tableOnly = process.argv.slice(2).join() === 'table';
const only = tableOnly ? [] : process.argv.slice(2);

for (const name of tableOnly ? [] : only.length ? only : BENCHES) {
  console.log(`== bench ${name}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(BENCH_DIR, `${name}.ts`)], { cwd: PROJECT_ROOT, stdio: 'inherit', env: { ...process.env, METADATA_SERVER_DETECTION: 'none' } });
  if (run.status !== 0) throw new Error(`bench ${name} failed with exit code ${run.status}`);
}

const read = async (name: string): Promise<any> => JSON.parse(await readFile(join(BENCH_DIR, 'results', `${name}.json`), 'utf8'));
const [listener, worker, overhead, embedded, api, cold] = await Promise.all(BENCHES.map(read));
const m = machine();
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const lines = [
  '# Benchmark results',
  '',
  `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GiB, Node ${m.node}. Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}${tableOnly ? ' from results/*.json (each run dated there)' : only.length ? ` (this run: ${only.join(', ')}; the other rows from earlier runs, dated in their results/*.json)` : ''};`,
  'each ratio compares with a baseline measured in the same run (load generator and servers share the machine, loopback only).',
  '',
  row(['benchmark', 'measured', 'baseline (same run)', 'ratio', 'goal']),
  row(['---', '---', '---', '---', '---']),
  row([
    `listener: signed ${listener.bodyBytes} B WhatsApp notifications, verify + parse + publish (in-process bus), LOG_LEVEL=info (an access line per request)${listener.nodeOptions ? `, NODE_OPTIONS=${listener.nodeOptions} as deployed` : ''}, wrk -c${listener.connections}, ${listener.rounds ?? 1} rounds of ${listener.seconds} s taking turns with the baseline`,
    `${Math.round(listener.listener.rps)} req/s, p99 ${listener.listener.p99Ms} ms${listener.listenerAtWarn ? `; at LOG_LEVEL=warn ${Math.round(listener.listenerAtWarn.rps)} req/s (${listener.atWarnRpsRatio})` : ''}`,
    `bare node:http HMAC + JSON.parse: ${Math.round(listener.baseline.rps)} req/s, p99 ${listener.baseline.p99Ms} ms`,
    `${listener.rpsRatio} (req/s, median of the rounds), ${listener.p99Ratio} (p99)`,
    '≥ 0.90',
  ]),
  ...(listener.steps
    ? [
        row([
          `listener, where its time goes (for information): the same load on its own steps, each adding to the one before (bench/servers/listener-steps.ts), then the ingress (trace context, secure headers, counting) at LOG_LEVEL=warn, then the access line`,
          listener.steps.map((s: { step: string; addsMicros: number }) => `${s.step} ${s.addsMicros >= 0 ? '+' : ''}${s.addsMicros} µs`).join(', '),
          `bare node:http HMAC + JSON.parse: ${(1e6 / listener.baseline.rps).toFixed(1)} µs per request`,
          listener.steps.map((s: { step: string; ratio: number }) => `${s.step} ${s.ratio}`).join(', '),
          '—',
        ]),
      ]
    : []),
  ...(listener.pubsub
    ? [
        row([
          `listener publishing to the Pub/Sub emulator (the 200 waits for the durable publish), LOG_LEVEL=info, wrk -c${listener.pubsub.connections}, ${listener.rounds} rounds in turn`,
          `${Math.round(listener.pubsub.listener.rps)} req/s; ack latency p50 ${listener.pubsub.listener.p50Ms} ms, p99 ${listener.pubsub.listener.p99Ms} ms`,
          `bare node:http HMAC + JSON.parse + the same awaited publish: ${Math.round(listener.pubsub.baseline.rps)} req/s, p99 ${listener.pubsub.baseline.p99Ms} ms`,
          `${listener.pubsub.rpsRatio} (req/s)`,
          '≥ 0.95; p99 ≤ 50 ms',
        ]),
      ]
    : []),
  row([
    `worker in process: ${worker.conversations} conversations × ${worker.messagesPerConversation} messages, model latency ${worker.modelLatencyMs} ms`,
    `${worker.inProcess.messagesPerSecond} msg/s, order kept: ${worker.inProcess.orderKept}`,
    `ceiling C/L = ${worker.inProcess.ceiling} msg/s`,
    worker.inProcess.ratio,
    '≥ 0.90',
  ]),
  row([
    'worker through the Pub/Sub + Firestore emulators (pull, ordered subscription)',
    `${worker.throughEmulators.messagesPerSecond} msg/s, order kept: ${worker.throughEmulators.orderKept}`,
    `ceiling min(C, ${worker.throughEmulators.handlersAtOnce ?? worker.throughEmulators.flowControlMaxMessages} handlers at once)/L = ${worker.throughEmulators.ceiling} msg/s`,
    worker.throughEmulators.ratio,
    '—',
  ]),
  ...(worker.throughEmulators.emulators ? [emulatorCeilingRow(worker.throughEmulators)] : []),
  ...firestoreRows(worker.throughEmulators.firestorePerMessage),
  row([
    `reply overhead: webhook 200 → Graph API send minus the model's ${overhead.modelLatencyMs} ms, listener + worker (push) + api as three processes on the emulators, ${overhead.messages} messages one at a time`,
    `p50 ${overhead.overheadMs.p50} ms, p95 ${overhead.overheadMs.p95} ms (200 → model ${overhead.toModelMs.p50} ms, model → send ${overhead.afterModelMs.p50} ms, p50); on the critical path per reply: ${criticalRpcs(overhead.criticalPath.firestoreRpcsPerReply)} Firestore RPCs${overhead.criticalPath.firestoreRoundTripsInSequencePerReply ? `, ${overhead.criticalPath.firestoreRoundTripsInSequencePerReply} round trips in sequence (RPCs that overlap count once)` : ''} (${overhead.criticalPath.firestoreRpcMsPerReply.p50} ms, p50), ${overhead.criticalPath.graphRequestsPerReply} Graph API requests${overhead.criticalPath.firestoreRpcsBesideTheModelPerReply ? `; beside the model call, not waited for: ${overhead.criticalPath.firestoreRpcsBesideTheModelPerReply} RPCs` : ''}`,
    `the listener's own 200: p50 ${overhead.ackMs.p50} ms`,
    '—',
    'p50 ≤ 100 ms',
  ]),
  ...embeddedRows(embedded),
  row([
    `api: 30-day summary over ${api.data.interactions.toLocaleString('en')} interactions (PostgreSQL 15)`,
    `p95 ${api.storeSummaryMs.p95} ms`,
    `naive full scan: p95 ${api.naiveFullScanMs.p95} ms`,
    `${(api.storeSummaryMs.p95 / api.naiveFullScanMs.p95).toFixed(3)} (${api.ratioNaiveP95OverStoreP95}× faster)`,
    'p95 ≤ 50 ms and ≤ 0.1 × naive',
  ]),
  ...(api.conversationList
    ? [
        row([
          `api: conversations list, a page of 50 of the same 30 days (PostgreSQL 15)`,
          `first page p95 ${api.conversationList.firstPage50.p95} ms; 20th page (by cursor) p95 ${api.conversationList.twentiethPage50.p95} ms`,
          `regrouping every conversation of the range per page (the store's query before): p95 ${api.conversationList.naiveRegroupFirstPage50.p95} ms`,
          api.conversationList.ratioStoreP95OverNaiveP95,
          'p95 ≤ 50 ms',
        ]),
        ...(api.conversationList.filtered
          ? [
              row([
                `api: the same list filtered, a page of 50 (for information: a rarer mode walks further back; a search first finds its matches)`,
                `mode=human (2 % of conversations) p95 ${api.conversationList.filtered.modeHumanFirstPage50.p95} ms; q matching 1 % p95 ${api.conversationList.filtered.searchOnePercentFirstPage50.p95} ms; q matching ${api.conversationList.filtered.matchesOnFirstPage.searchRare} of ${api.otherOperationsMs?.exportConversations?.conversations ?? '?'} conversations p95 ${api.conversationList.filtered.searchRareFirstPage50.p95} ms`,
                `the unfiltered first page: p95 ${api.conversationList.firstPage50.p95} ms`,
                '—',
                '—',
              ]),
            ]
          : []),
      ]
    : []),
  ...(api.otherOperationsMs?.timeseriesDailyInZones
    ? [
        row([
          `api: 30 local days of a time series in a time zone (for information: Berlin's whole-hour offset reads the hourly rollups, Kolkata's half hour the facts)`,
          Object.entries(api.otherOperationsMs.timeseriesDailyInZones as Record<string, Record<string, { p95: number }>>)
            .map(([zone, metrics]) => `${zone}: messagesIn p95 ${metrics.messagesIn!.p95} ms, latencyP95 p95 ${metrics.latencyP95!.p95} ms`)
            .join('; '),
          '—',
          '—',
          '—',
        ]),
      ]
    : []),
  ...Object.entries(cold.roles as Record<string, { p50Ms: number; ratio: number; rssP50Mb?: number; nodeOptions?: string | null }>).map(([role, r]) => {
    const uncached = (cold.withoutCompileCache as Record<string, { p50Ms: number }> | undefined)?.[role];
    const memoryGoal = role === 'listener' ? '; RSS ≤ 120 MB' : role === 'worker' ? '; RSS ≤ 180 MB' : '';
    return row([
      `cold start to /healthz: ROLE=${role}, from dist/ with the image's compile cache${r.nodeOptions ? `, NODE_OPTIONS=${r.nodeOptions} as deployed` : ''}`,
      `p50 ${r.p50Ms} ms${r.rssP50Mb ? `, RSS ${r.rssP50Mb} MB` : ''}${uncached ? ` (without the compile cache: ${uncached.p50Ms} ms)` : ''}`,
      `bare node:http start: p50 ${cold.baseline.p50Ms} ms${cold.baseline.rssP50Mb ? `, RSS ${cold.baseline.rssP50Mb} MB` : ''}`,
      `${r.ratio} (bare ÷ role)`,
      `≥ 0.33 (≤ 3 × bare)${memoryGoal}`,
    ]);
  }),
  ...(cold.floors ? [floorRow(cold)] : []),
  '',
  'Raw results with every figure: `bench/results/*.json`. Commands: `npm run bench` (all), `npm run bench -- listener` (one).',
  '',
];

/** What the packages the design fixes cost a start by themselves: the floor under each role's cold start. */
function floorRow(cold: { baseline: { p50Ms: number }; floors: Record<string, { p50Ms: number; ratio: number; specifiers: string[] }> }): string {
  const floors = Object.entries(cold.floors);
  const roles = floors.filter(([name]) => !name.startsWith('@'));
  return row([
    "cold start floor (for information): the bare node:http server after importing only packages the design fixes, from dist/'s compile cache, NODE_OPTIONS as deployed",
    floors.map(([name, f]) => `${name.startsWith('@') ? `${f.specifiers.join(' + ')} alone` : `the ${name}'s (${f.specifiers.join(', ')})`}: p50 ${f.p50Ms} ms`).join('; '),
    `bare node:http start: p50 ${cold.baseline.p50Ms} ms`,
    roles.map(([name, f]) => `${name} ${f.ratio}`).join(', ') + ' (bare ÷ floor)',
    '— (no role can start faster than its floor)',
  ]);
}

/** The embedded default (`npm start`) against ROLE=all with its chat store and bus in memory, same run (issue #18). */
function embeddedRows(e: EmbeddedResult): string[] {
  const { listener: l, worker: w } = e;
  const on = (adapters: Record<string, string> | undefined) => `${adapters?.messageBus} + ${adapters?.chatStore}`;
  const load = (x: { rps: number; p99Ms: number }) => `${Math.round(x.rps)} req/s, p99 ${x.p99Ms} ms`;
  return [
    row([
      `listener through \`npm start\` (ROLE=all, PGlite under a fresh DATA_DIR, ${on(l.embedded.adapters)}, LOG_LEVEL=info): the same signed ${l.bodyBytes} B notification, wrk -c${l.connections} ${l.seconds} s, best of ${e.rounds} rounds in turn`,
      `${load(l.embedded.best)}; ${l.embedded.best.handledDuringLoad} of ${l.embedded.best.accepted} handled during the load, the rest within ${l.embedded.best.drainSeconds} s after it`,
      `bare node:http: ${load(l.bare.best)}; ROLE=all in memory (${on(l.inMemory.adapters)}): ${load(l.inMemory.best)}`,
      `${l.rpsVsBare} vs bare; ${l.rpsVsInMemory} (req/s), ${l.p99VsInMemory} (p99) vs in memory`,
      '≥ 0.67 × in memory',
    ]),
    row([
      `worker on the \`npm start\` path (ROLE=all on PGlite, ${on(w.adapters.embedded)}): ${w.conversations} conversations × ${w.messagesPerConversation} messages, model latency ${w.modelLatencyMs} ms, best of ${e.rounds}`,
      `${w.embedded.best.messagesPerSecond} msg/s, order kept: ${w.embedded.rounds.every((r) => r.orderKept)}`,
      `ceiling C/L = ${w.embedded.best.ceiling} msg/s; ROLE=all in memory: ${w.inMemory.best.messagesPerSecond} msg/s`,
      `${w.embedded.best.ratio} vs ceiling; ${w.vsInMemory} vs in memory`,
      '≥ 0.67 × in memory',
    ]),
    row([
      `the same worker on a throwaway PostgreSQL 15 as DATABASE_URL (${on(w.adapters.postgres)})`,
      `${w.postgres.best.messagesPerSecond} msg/s, order kept: ${w.postgres.rounds.every((r) => r.orderKept)}`,
      `ceiling C/L = ${w.postgres.best.ceiling} msg/s; ROLE=all in memory: ${w.inMemory.best.messagesPerSecond} msg/s`,
      `${w.postgres.best.ratio} vs ceiling; ${w.postgresVsInMemory} vs in memory`,
      '—',
    ]),
  ];
}

await writeFile(join(BENCH_DIR, 'RESULTS.md'), lines.join('\n'));
console.log(lines.join('\n'));

interface FirestoreCounts {
  rpcs: Record<string, number>;
  documentReads: number;
  documentWrites: number;
  documentDeletes: number;
  usdPer1000Messages: number;
}

/** The Firestore operations per message the worker bench counted, priced (issue #14 item 3). */
function emulatorCeilingRow(t: { messagesPerSecond: number; emulators: Record<string, number> }): string {
  const e = t.emulators;
  return row([
    'the same worker against what the emulators allow: the Firestore emulator\'s compare-and-set commits/s at the worker\'s concurrency ÷ commits per answered message',
    `${t.messagesPerSecond} msg/s`,
    `${e.firestoreCommitsPerSecond} commits/s ÷ ${e.commitsPerAnsweredMessage} = ${e.firestoreCeilingMessagesPerSecond} msg/s; the Pub/Sub emulator's ordered pull alone (flow control 10, handler = the model's latency; each freed slot waits for the client's ack batch, up to 100 ms, which the worker, holding 100 messages, does not): ${e.pubsubOrderedPullMessagesPerSecond} msg/s (${e.ratioToPubsubPull})`,
    e.ratioToFirestoreCeiling!,
    '≥ 0.7',
  ]);
}

/** `{commit: 5.15, runQuery: 1}` as `5.15 commit + 1 runQuery`. */
function criticalRpcs(perReply: Record<string, number>): string {
  return Object.entries(perReply).map(([method, n]) => `${n} ${method}`).join(' + ');
}

function firestoreRows(counted: { messages: number; prices: { unit: string }; answered: FirestoreCounts; redelivered: FirestoreCounts } | undefined): string[] {
  if (!counted) return [];
  const said = (c: FirestoreCounts) =>
    `${Object.entries(c.rpcs).map(([method, n]) => `${n} ${method}`).join(', ')}; ${c.documentReads} document reads, ${c.documentWrites} writes, ${c.documentDeletes} deletes = $${c.usdPer1000Messages} per 1,000 messages`;
  return [
    row([`Firestore operations per answered message (the same worker on the emulators, ${counted.messages} messages; ${counted.prices.unit})`, said(counted.answered), '—', '—', 'fewer, the crash and fault suites green']),
    row(['Firestore operations per redelivery of an answered message (each notification published again)', said(counted.redelivered), '—', '—', 'fewer']),
  ];
}
