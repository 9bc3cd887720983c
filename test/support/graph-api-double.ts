import { listenOnLoopback } from './ports.js';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpFaults, type Admission } from './http-faults.js';
import { StatusEmitter, type StatusSink } from './graph-status-webhooks.js';
import { RecordedRequests } from './recorded-requests.js';

/**
 * What a request is: to the messages endpoint, a message sent (text or template) or a read receipt
 * (`status: "read"`); a media lookup (`GET /{version}/{media_id}`) or a media download (`GET` of the URL it gave).
 */
export type GraphRequestKind = 'send' | 'read-receipt' | 'media-info' | 'media-download';

export interface GraphRequest {
  kind: GraphRequestKind;
  method: string;
  /** Path and query as received, e.g. `/v23.0/1234567890/messages`. */
  path: string;
  version: string | undefined;
  phoneNumberId: string | undefined;
  /** Media lookups and downloads: the media id asked for. */
  mediaId?: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  body: unknown;
  /**
   * True when the double did what `outcome` says (a send accepted) but then closed the connection
   * instead of answering (`dropNext`, `faults.dropNext`/`dropRate`): the client never learnt it.
   */
  dropped?: boolean;
  /**
   * What the double answered: the wamid of an accepted message, `{success:true}` to a read receipt,
   * an error status, or a hang; `reset` when `faults` reset the connection instead (nothing was
   * sent), `abandoned` when the client left while `faults` held the request back.
   */
  outcome:
    | { kind: 'accepted'; wamid: string }
    | { kind: 'read' }
    | { kind: 'media-info'; url: string }
    | { kind: 'media-bytes'; size: number }
    | { kind: 'error'; status: number; code: number | undefined }
    | { kind: 'hung' }
    | { kind: 'reset' }
    | { kind: 'abandoned' };
}

export interface GraphFailure {
  status: number;
  /** The Graph error code; without one the body is plain text (like a proxy's 5xx page). */
  code?: number;
  message?: string;
}

type Script = { kind: 'fail'; failure: GraphFailure } | { kind: 'hang' } | { kind: 'drop' };
type MediaStep = 'media-info' | 'media-download';

/** What `addMedia` registers; `sha256`/`fileSize` override what the lookup announces (null leaves the field out). */
export interface MediaOverrides {
  sha256?: string | null;
  fileSize?: number | null;
}

interface StoredMedia {
  bytes: Buffer;
  mimeType: string;
  overrides: MediaOverrides;
  /** The `sig` of every download URL handed out for it: a download needs one of them. */
  signatures: Set<string>;
}

const MESSAGES_PATH = /^\/([^/]+)\/([^/]+)\/messages$/;
const MEDIA_DOWNLOAD_PATH = /^\/media-download\/([^/]+)$/;
const MEDIA_INFO_PATH = /^\/([^/]+)\/([^/]+)$/;

/**
 * A local double of the WhatsApp Cloud API's messages endpoint (`POST /{version}/{phone_number_id}/messages`)
 * on 127.0.0.1 and a free port. It checks the bearer token (401 with Graph error 190 otherwise),
 * records every request, accepts messages (text, template) with a fresh `wamid.…` and answers read
 * receipts (`status: "read"`, optionally with a typing indicator) `{ success: true }`. Sends and read
 * receipts are scripted separately: `failNext`/`hangNext`/`dropNext` script the next sends, `failNextReadReceipts`
 * the next read receipts, so a test scripting "the send fails" is not confused by the receipt before it.
 *
 * Media (registered with `addMedia`): `GET /{version}/{media_id}` answers the Cloud API's media JSON
 * (`url`, `mime_type`, `sha256` hex, `file_size`, `id`) with a download URL back on this double
 * (`/media-download/{id}?sig=…`, a fresh capability per lookup), and `GET` of that URL answers the
 * bytes. Both need the bearer token; `failNextMedia`/`hangNextMedia` script the next media requests
 * (either step, in arrival order). They are recorded in `requests` and `mediaRequests`, never in
 * `sends` or `readReceipts`. `faults` injects latency, connection resets and outages into every
 * request while traffic flows (see `HttpFaults`); they apply before the token check and the scripts.
 */
export class GraphApiDouble {
  readonly accessToken: string;
  private readonly recorded = new RecordedRequests<GraphRequest>();
  private readonly recordedSends = new RecordedRequests<GraphRequest>();
  private readonly recordedReadReceipts = new RecordedRequests<GraphRequest>();
  private readonly recordedMedia = new RecordedRequests<GraphRequest>();
  private script: Script[] = [];
  private readReceiptScript: Script[] = [];
  private mediaScript: (Script & { only: MediaStep | undefined })[] = [];
  private readonly media = new Map<string, StoredMedia>();
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();
  private readonly recordedAccepted = new RecordedRequests<GraphRequest>();
  readonly faults = new HttpFaults();
  private statusEmitter: StatusEmitter | undefined;

  constructor(options: { accessToken?: string } = {}) {
    this.accessToken = options.accessToken ?? `EAAG-test-${randomBytes(12).toString('hex')}`;
  }

  /** Every request received so far (sends, read receipts, anything else), in arrival order. */
  get requests(): readonly GraphRequest[] {
    return this.recorded.items;
  }

  /** The messages (text or template) asked to be sent, in arrival order, whatever the answer. */
  get sends(): readonly GraphRequest[] {
    return this.recordedSends.items;
  }

  /** The read receipts (`status: "read"`) received, in arrival order, whatever the answer. */
  get readReceipts(): readonly GraphRequest[] {
    return this.recordedReadReceipts.items;
  }

  /** The media lookups and downloads received, in arrival order, whatever the answer. */
  get mediaRequests(): readonly GraphRequest[] {
    return this.recordedMedia.items;
  }

  /** The wamids of the messages the double accepted. */
  get acceptedIds(): string[] {
    return this.sends.flatMap((r) => (r.outcome.kind === 'accepted' ? [r.outcome.wamid] : []));
  }

  async start(port = 0): Promise<{ baseUrl: string }> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    this.faults.attach(server);
    await listenOnLoopback(server, port);
    return { baseUrl: this.baseUrl };
  }

  get baseUrl(): string {
    if (!this.server) throw new Error('GraphApiDouble is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * From now on every accepted send is followed, `delayMs` later, by Meta's `sent` status webhook
   * for it (echoing the send's `biz_opaque_callback_data`), handed to `sink`.
   */
  emitStatuses(sink: StatusSink, delayMs?: number): StatusEmitter {
    this.statusEmitter = new StatusEmitter(sink, delayMs);
    return this.statusEmitter;
  }

  /** The next `count` sends (after the token check) answer this Graph error; read receipts are not affected. */
  failNext(count: number, failure: GraphFailure): this {
    this.script.push(...Array.from({ length: count }, (): Script => ({ kind: 'fail', failure })));
    return this;
  }

  /** The next `count` sends are read and never answered (until `stop`); read receipts are not affected. */
  hangNext(count: number): this {
    this.script.push(...Array.from({ length: count }, (): Script => ({ kind: 'hang' })));
    return this;
  }

  /**
   * The next `count` sends are accepted (recorded with a wamid, as Meta would send them) and then
   * their connection is closed without an answer; read receipts are not affected.
   */
  dropNext(count: number): this {
    this.script.push(...Array.from({ length: count }, (): Script => ({ kind: 'drop' })));
    return this;
  }

  /** The next `count` read receipts (after the token check) answer this Graph error; sends are not affected. */
  failNextReadReceipts(count: number, failure: GraphFailure): this {
    this.readReceiptScript.push(...Array.from({ length: count }, (): Script => ({ kind: 'fail', failure })));
    return this;
  }

  /** The next `count` read receipts are read and never answered (until `stop`); sends are not affected. */
  hangNextReadReceipts(count: number): this {
    this.readReceiptScript.push(...Array.from({ length: count }, (): Script => ({ kind: 'hang' })));
    return this;
  }

  /** Registers media the lookup and download answer; the announced sha256 and size are the real ones unless overridden. */
  addMedia(id: string, bytes: Uint8Array, mimeType: string, overrides: MediaOverrides = {}): this {
    this.media.set(id, { bytes: Buffer.from(bytes), mimeType, overrides, signatures: new Set() });
    return this;
  }

  /**
   * The next `count` media requests (after the token check) answer this Graph error: lookups and
   * downloads alike, or only the step named by `only` (the other step then answers normally).
   */
  failNextMedia(count: number, failure: GraphFailure, only?: MediaStep): this {
    this.mediaScript.push(...Array.from({ length: count }, () => ({ kind: 'fail' as const, failure, only })));
    return this;
  }

  /** The next `count` media requests (or only those of the step `only` names) are never answered (until `stop`). */
  hangNextMedia(count: number, only?: MediaStep): this {
    this.mediaScript.push(...Array.from({ length: count }, () => ({ kind: 'hang' as const, only })));
    return this;
  }

  /** Resolves as soon as `count` requests (of any kind) have arrived in total. */
  waitForRequests(count: number, timeoutMs = 5_000): Promise<GraphRequest[]> {
    return this.recorded.waitFor(count, timeoutMs, 'Graph API double');
  }

  /** Resolves as soon as `count` sends have arrived in total. */
  waitForSends(count: number, timeoutMs = 5_000): Promise<GraphRequest[]> {
    return this.recordedSends.waitFor(count, timeoutMs, 'Graph API double (sends)');
  }

  /** Resolves as soon as the double has accepted `count` messages in total (sends it reset or failed do not count). */
  waitForAcceptedSends(count: number, timeoutMs = 5_000): Promise<GraphRequest[]> {
    return this.recordedAccepted.waitFor(count, timeoutMs, 'Graph API double (accepted sends)');
  }

  /** Resolves as soon as `count` read receipts have arrived in total. */
  waitForReadReceipts(count: number, timeoutMs = 5_000): Promise<GraphRequest[]> {
    return this.recordedReadReceipts.waitFor(count, timeoutMs, 'Graph API double (read receipts)');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.faults.dispose();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const admitted = await this.faults.admit(req);
    const path = req.url ?? '/';
    if (req.method === 'GET') {
      const pathname = path.split('?')[0] ?? '';
      const download = MEDIA_DOWNLOAD_PATH.exec(pathname);
      if (download) return this.handleMedia(req, res, path, rawBody, admitted, 'media-download', undefined, download[1]!);
      const info = MEDIA_INFO_PATH.exec(pathname);
      if (info) return this.handleMedia(req, res, path, rawBody, admitted, 'media-info', info[1], info[2]!);
    }
    const match = MESSAGES_PATH.exec(path);
    const body = parseJson(rawBody) as { to?: unknown; status?: unknown; message_id?: unknown } | undefined;
    const kind: GraphRequestKind = body?.status === 'read' ? 'read-receipt' : 'send';
    let dropped = admitted === 'drop';
    const record = (outcome: GraphRequest['outcome']) => {
      const request: GraphRequest = {
        kind,
        method: req.method ?? '',
        path,
        version: match?.[1],
        phoneNumberId: match?.[2] === undefined ? undefined : decodeURIComponent(match[2]),
        headers: req.headers,
        rawBody,
        body,
        outcome,
        ...(dropped ? { dropped } : {}),
      };
      this.recorded.push(request);
      (kind === 'read-receipt' ? this.recordedReadReceipts : this.recordedSends).push(request);
      if (outcome.kind === 'accepted') this.recordedAccepted.push(request);
      if (outcome.kind === 'accepted') this.statusEmitter?.accepted(request);
    };

    if (admitted === 'reset' || admitted === 'gone') return record({ kind: admitted === 'reset' ? 'reset' : 'abandoned' });
    // A drop applies to what would succeed; a refused request is answered as usual.
    const refuse = (outcome: GraphRequest['outcome']) => {
      dropped = false;
      record(outcome);
    };
    if (req.method !== 'POST' || !match) {
      refuse({ kind: 'error', status: 404, code: 100 });
      return sendJson(res, 404, graphError(`Unknown path components: ${path}`, 'OAuthException', 100));
    }
    if (this.refusedToken(req, res, refuse)) return;
    // Like a reset, a drop by `faults` leaves the scripts for the next requests.
    const next = dropped ? undefined : kind === 'read-receipt' ? this.readReceiptScript.shift() : this.script.shift();
    if (next?.kind === 'drop') dropped = true;
    else if (next && this.answerScripted(next, res, refuse)) return;
    if (kind === 'read-receipt') {
      // Graph marks an inbound message read by its wamid; without one the request is invalid.
      if (typeof body?.message_id !== 'string' || body.message_id === '') {
        refuse({ kind: 'error', status: 400, code: 100 });
        return sendJson(res, 400, graphError('(#100) The parameter message_id is required.', 'OAuthException', 100));
      }
      record({ kind: 'read' });
      return dropped ? closeUnanswered(res) : sendJson(res, 200, { success: true });
    }
    const wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    record({ kind: 'accepted', wamid });
    if (dropped) return closeUnanswered(res);
    const to = typeof body?.to === 'string' ? body.to : '';
    sendJson(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: wamid }] });
  }
  /** A request without the access token is answered 401 (Graph's expired-session error) and recorded. */
  private refusedToken(req: IncomingMessage, res: ServerResponse, record: (outcome: GraphRequest['outcome']) => void): boolean {
    if (req.headers.authorization === `Bearer ${this.accessToken}`) return false;
    record({ kind: 'error', status: 401, code: 190 });
    sendJson(res, 401, graphError('Error validating access token: Session has expired.', 'OAuthException', 190));
    return true;
  }

  /** Answers a scripted step (a hang or a failure) and records it. */
  private answerScripted(step: Script, res: ServerResponse, record: (outcome: GraphRequest['outcome']) => void): boolean {
    if (step.kind === 'drop') return false;
    if (step.kind === 'hang') {
      this.hanging.add(res);
      res.once('close', () => this.hanging.delete(res));
      record({ kind: 'hung' });
      return true;
    }
    const { status, code, message } = step.failure;
    record({ kind: 'error', status, code });
    if (code === undefined) res.writeHead(status, { 'content-type': 'text/plain' }).end('upstream failure');
    else sendJson(res, status, graphError(message ?? `scripted Graph error ${code}`, 'OAuthException', code));
    return true;
  }

  private handleMedia(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    rawBody: string,
    admitted: Admission,
    kind: MediaStep,
    version: string | undefined,
    encodedId: string,
  ): void {
    const mediaId = safeDecode(encodedId);
    const record = (outcome: GraphRequest['outcome']) => {
      const request: GraphRequest = { kind, method: req.method ?? '', path, version, phoneNumberId: undefined, mediaId, headers: req.headers, rawBody, body: undefined, outcome };
      this.recorded.push(request);
      this.recordedMedia.push(request);
    };
    if (admitted === 'drop') {
      // Media steps have nothing to accept: a drop is a connection closed before any answer.
      record({ kind: 'reset' });
      return closeUnanswered(res);
    }
    if (admitted !== 'pass') return record({ kind: admitted === 'reset' ? 'reset' : 'abandoned' });
    if (this.refusedToken(req, res, record)) return;
    const scripted = this.mediaScript.findIndex((step) => step.only === undefined || step.only === kind);
    const next = scripted === -1 ? undefined : this.mediaScript.splice(scripted, 1)[0];
    if (next && this.answerScripted(next, res, record)) return;
    const media = this.media.get(mediaId);
    if (kind === 'media-info') {
      if (!media) {
        record({ kind: 'error', status: 400, code: 100 });
        const text = `Unsupported get request. Object with ID '${mediaId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`;
        return sendJson(res, 400, graphError(text, 'GraphMethodException', 100));
      }
      const sig = randomBytes(16).toString('hex');
      media.signatures.add(sig);
      const url = `${this.baseUrl}/media-download/${encodeURIComponent(mediaId)}?sig=${sig}`;
      record({ kind: 'media-info', url });
      const { sha256, fileSize } = media.overrides;
      return sendJson(res, 200, {
        messaging_product: 'whatsapp',
        url,
        mime_type: media.mimeType,
        ...(sha256 === null ? {} : { sha256: sha256 ?? createHash('sha256').update(media.bytes).digest('hex') }),
        ...(fileSize === null ? {} : { file_size: fileSize ?? media.bytes.length }),
        id: mediaId,
      });
    }
    const sig = new URLSearchParams(path.split('?')[1] ?? '').get('sig');
    if (!media || !sig || !media.signatures.has(sig)) {
      record({ kind: 'error', status: 404, code: undefined });
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    record({ kind: 'media-bytes', size: media.bytes.length });
    res.writeHead(200, { 'content-type': media.mimeType, 'content-length': String(media.bytes.length) }).end(media.bytes);
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function graphError(message: string, type: string, code: number) {
  return { error: { message, type, code, fbtrace_id: `A${randomBytes(10).toString('base64url')}` } };
}

/** Closes the connection (FIN) without a byte of an answer: the client sees the socket closed. */
function closeUnanswered(res: ServerResponse): void {
  res.socket?.destroy();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
