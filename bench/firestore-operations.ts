// Counts what the Firestore client sends while a bench runs: each RPC by method (commit,
// batchGetDocuments, runQuery, rollback, …; a commit the server refused apart), the documents
// written and deleted by the commits that succeeded, and
// the documents read (each requested by batchGetDocuments, each returned by runQuery, and at
// least one per query: Firestore bills an empty query as one read). RPCs are counted at the
// client's own funnels (Firestore#request and #requestStream); a query's documents from the
// client's debug log (setLogFunction), which logs every response of a stream with its request tag.
import { Firestore, setLogFunction } from '@google-cloud/firestore';

export interface FirestoreOperations {
  rpcs: Record<string, number>;
  documentReads: number;
  documentWrites: number;
  documentDeletes: number;
}

interface Funnels {
  request(method: string, request: unknown, tag: string, ...rest: unknown[]): Promise<unknown>;
  requestStream(method: string, bidirectional: boolean, request: unknown, tag: string): Promise<unknown>;
}

interface CommitRequest {
  writes?: { delete?: unknown }[];
}

/** Starts counting (process-wide); `take()` answers the counts since the last take. */
export function countFirestoreOperations(): { take(): FirestoreOperations; rpcs(): number; stop(): void } {
  const funnels = Firestore.prototype as unknown as Funnels;
  const { request, requestStream } = funnels;
  let counts = empty();
  const queries = new Map<string, number>();
  funnels.request = function (this: Funnels, method, body, tag, ...rest) {
    const sent = request.call(this, method, body, tag, ...rest);
    if (method !== 'commit') {
      counts.rpcs[method] = (counts.rpcs[method] ?? 0) + 1;
      return sent;
    }
    // A refused commit (a create that found its document: how a duplicate is recognised) writes nothing.
    return sent.then(
      (result) => {
        counts.rpcs.commit = (counts.rpcs.commit ?? 0) + 1;
        for (const write of (body as CommitRequest).writes ?? []) write.delete ? counts.documentDeletes++ : counts.documentWrites++;
        return result;
      },
      (error: unknown) => {
        counts.rpcs['refused commit'] = (counts.rpcs['refused commit'] ?? 0) + 1;
        throw error;
      },
    );
  };
  funnels.requestStream = function (this: Funnels, method, bidirectional, body, tag) {
    counts.rpcs[method] = (counts.rpcs[method] ?? 0) + 1;
    if (method === 'batchGetDocuments') counts.documentReads += (body as { documents?: unknown[] }).documents?.length ?? 0;
    if (method === 'runQuery') queries.set(tag, 0);
    return requestStream.call(this, method, bidirectional, body, tag);
  };
  setLogFunction((line) => {
    const match = /^Firestore \S+ \S+ (\S+) \[Firestore\.requestStream\]: Received response: /.exec(line);
    const returned = match && queries.get(match[1]!);
    if (returned !== undefined && returned !== null && line.includes('"document":{')) queries.set(match![1]!, returned + 1);
  });
  const settleQueries = () => {
    for (const returned of queries.values()) counts.documentReads += Math.max(1, returned);
    queries.clear();
  };
  return {
    rpcs: () => Object.values(counts.rpcs).reduce((sum, n) => sum + n, 0),
    take() {
      settleQueries();
      const taken = counts;
      counts = empty();
      return taken;
    },
    stop() {
      funnels.request = request;
      funnels.requestStream = requestStream;
      setLogFunction(null);
    },
  };
}

const empty = (): FirestoreOperations => ({ rpcs: {}, documentReads: 0, documentWrites: 0, documentDeletes: 0 });

/** Counts divided by `messages`, to two decimals. */
export function perMessage(operations: FirestoreOperations, messages: number): FirestoreOperations {
  const each = (n: number) => Math.round((n / messages) * 100) / 100;
  return {
    rpcs: Object.fromEntries(Object.entries(operations.rpcs).map(([method, n]) => [method, each(n)])),
    documentReads: each(operations.documentReads),
    documentWrites: each(operations.documentWrites),
    documentDeletes: each(operations.documentDeletes),
  };
}
