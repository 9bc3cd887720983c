// `--import`ed into a role process by bench/reply-overhead.ts: appends one JSON line per Firestore
// RPC the process makes ({method, start, end} in epoch ms, `refused` for a commit the server
// refused) to the file VOCOENG_BENCH_RPC_LOG names, so the bench can count the round trips made
// inside each reply's window. RPCs are taken at the client's funnels, as bench/firestore-operations.ts does.
import { appendFileSync } from 'node:fs';
import { Firestore } from '@google-cloud/firestore';

interface Funnels {
  request(method: string, ...rest: unknown[]): Promise<unknown>;
  requestStream(method: string, ...rest: unknown[]): Promise<NodeJS.EventEmitter>;
}

const file = process.env.VOCOENG_BENCH_RPC_LOG;
if (file) {
  const funnels = Firestore.prototype as unknown as Funnels;
  const { request, requestStream } = funnels;
  const log = (method: string, start: number, body: unknown, refused = false) =>
    appendFileSync(file, `${JSON.stringify({ method, start, end: Date.now(), collections: collectionsOf(body), ...(refused ? { refused } : {}) })}\n`);
  funnels.request = function (this: Funnels, method, ...rest) {
    const start = Date.now();
    return request.call(this, method, ...rest).then(
      (result) => (log(method, start, rest[0]), result),
      (error: unknown) => {
        log(method, start, rest[0], true);
        throw error;
      },
    );
  };
  funnels.requestStream = async function (this: Funnels, method, ...rest) {
    const start = Date.now();
    const stream = await requestStream.call(this, method, ...rest);
    let logged = false;
    const done = () => {
      if (!logged) log(method, start, rest[1]);
      logged = true;
    };
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
    return stream;
  };
}

/** The collections a request touches (document names' parent collection ids), for reading a timeline. */
function collectionsOf(body: unknown): string[] {
  const names: string[] = [];
  const b = body as { documents?: string[]; writes?: { update?: { name?: string }; delete?: string }[]; parent?: string; structuredQuery?: { from?: { collectionId?: string }[] } };
  for (const name of b?.documents ?? []) names.push(name);
  for (const write of b?.writes ?? []) names.push(write.update?.name ?? write.delete ?? '');
  for (const from of b?.structuredQuery?.from ?? []) names.push(`${from.collectionId ?? ''}/query`);
  return names.map((name) => name.split('/').slice(-2, -1)[0] ?? '');
}
