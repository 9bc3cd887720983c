import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The request body's exact bytes, or null when it exceeds `limit` (nothing more is read then).
 * On @hono/node-server it reads the Node request stream directly: building a WHATWG Request and
 * stream around each webhook costs more than verifying and parsing it.
 */
export function readRawBody(c: Context, limit: number): Promise<Uint8Array | null> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && !incoming.readableDidRead) return readIncomingBody(incoming, limit);
  return collect(streamOf(c.req.raw.body), c.req.header('content-length'), limit);
}

/**
 * The same, from Node's request stream, by its events (an async iterator per request was ~4 % of
 * the listener's CPU); an oversized rest is drained, not kept.
 */
export function readIncomingBody(incoming: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  const declared = Number(incoming.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) return void chunks.push(chunk);
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose).resume();
      resolve(null);
    };
    const onEnd = () => {
      incoming.off('error', onError).off('close', onClose);
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => reject(error);
    // A client gone before the end: no 'end' will come (a settled promise ignores this after one).
    const onClose = () => reject(new Error('the request closed before its body ended'));
    incoming.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  });
}

async function collect(source: AsyncIterable<Uint8Array>, declaredLength: string | undefined, limit: number): Promise<Uint8Array | null> {
  const declared = Number(declaredLength);
  if (Number.isFinite(declared) && declared > limit) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

async function* streamOf(body: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}
