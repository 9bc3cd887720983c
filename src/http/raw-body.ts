import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The request body's exact bytes, or null when it exceeds `limit` (nothing more is read then).
 * On @hono/node-server it reads the Node request stream directly: building a WHATWG Request and
 * stream around each webhook costs more than verifying and parsing it.
 */
export async function readRawBody(c: Context, limit: number): Promise<Uint8Array | null> {
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > limit) return null;
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const source: AsyncIterable<Uint8Array> = incoming && !incoming.readableDidRead ? incoming : streamOf(c.req.raw.body);
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > limit) {
      incoming?.resume();
      return null;
    }
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
