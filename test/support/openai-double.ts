import { listenOnLoopback } from './ports.js';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { HttpFaults } from './http-faults.js';
import { RecordedRequests } from './recorded-requests.js';

export type OpenAiEndpoint = 'chat.completions' | 'audio.transcriptions' | 'unknown';

export interface OpenAiRequest {
  endpoint: OpenAiEndpoint;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** When the request's headers arrived (`performance.now()`, ms): gaps between attempts are measured with it. */
  arrivedAt: number;
  rawBody: Buffer;
  /** Chat: the parsed JSON (undefined when not JSON). Transcriptions: the multipart fields and files. */
  body: unknown;
  /**
   * What the double did; `answered` is set when a slow answer is finally written. `dropped`: the
   * connection was destroyed without an answer (`dropNext`, or a reset by `faults`); `abandoned`:
   * the client left before the answer.
   */
  outcome: { kind: 'answered' | 'failed' | 'invalid'; status: number } | { kind: 'dropped' } | { kind: 'pending' | 'abandoned' };
}

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface OpenAiFailure {
  status: number;
  /** Overrides OpenAI's error body for the status: an object is sent as JSON, a string as text/html (a gateway's error page). */
  body?: unknown;
  headers?: Record<string, string>;
  /** `retry-after`: seconds, or an HTTP date. */
  retryAfter?: number | string;
  /** `retry-after-ms`: OpenAI's millisecond variant. */
  retryAfterMs?: number;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: { name: string; filename: string; contentType: string | undefined; size: number }[];
}

type Step = { kind: 'fail'; failure: OpenAiFailure } | { kind: 'slow'; ms: number } | { kind: 'drop' };
type Answer = { text: string | null; usage: WireUsage | null | undefined; toolCall?: { name: string; arguments: string } };

/**
 * A local OpenAI-compatible server on 127.0.0.1 and a free port, speaking the wire format of
 * `POST /v1/chat/completions` (JSON validated, `chat.completion` answers with `usage`) and
 * `POST /v1/audio/transcriptions` (multipart, `{text}`). It records every request with its headers
 * and arrival time. `failNext`, `slowNext` and `dropNext` script the next requests of either
 * endpoint in arrival order; `answerNext` scripts chat answers, which otherwise echo the last user
 * message (or what `compose` makes of it). With `apiKey` set it answers 401 `invalid_api_key` to
 * any other bearer token. `faults` injects latency, connection resets and outages into every
 * request while traffic flows (see `HttpFaults`); they apply before the script.
 */
export class OpenAiDouble {
  private readonly recorded = new RecordedRequests<OpenAiRequest>();
  private script: Step[] = [];
  private answers: Answer[] = [];
  private transcripts: string[] = [];
  private server: Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly faults = new HttpFaults();

  constructor(
    private readonly options: {
      apiKey?: string;
      /** Instead of `apiKey`: which bearer tokens pass (changing tokens, e.g. Vertex AI's access tokens); others get 401. */
      acceptsToken?: (token: string | undefined) => boolean;
      /** The path the API lives under (default `/v1`); Vertex AI's is `/v1/projects/P/locations/L/endpoints/openapi`. */
      apiPath?: string;
      servedModel?: (requested: string) => string;
      /** The unscripted chat answer from the last user message and the request's index in `requests` (default: the message itself). */
      compose?: (lastUserMessage: string, requestIndex: number) => string;
    } = {},
  ) {}

  get requests(): readonly OpenAiRequest[] {
    return this.recorded.items;
  }

  get chatRequests(): OpenAiRequest[] {
    return this.recorded.items.filter((r) => r.endpoint === 'chat.completions');
  }

  async start(): Promise<{ baseUrl: string }> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    this.faults.attach(server);
    await listenOnLoopback(server);
    return { baseUrl: this.baseUrl };
  }

  /** The API base to give a client, `/v1` included (what `OPENAI_BASE_URL` holds). */
  get baseUrl(): string {
    if (!this.server) throw new Error('OpenAiDouble is not started');
    return `${this.origin}${this.options.apiPath ?? '/v1'}`;
  }

  /** `http://127.0.0.1:PORT`, without the API path. */
  get origin(): string {
    if (!this.server) throw new Error('OpenAiDouble is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next chat answer; `usage: null` leaves `usage` out, `text: null` answers `content: null`. */
  answerNext(text: string | null, usage?: WireUsage | null): this {
    this.answers.push({ text, usage });
    return this;
  }

  /** The next chat answer calls a function (`tool_calls`, `finish_reason: "tool_calls"`, `content: null`), `arguments` as the JSON text the model wrote. */
  callToolNext(name: string, args: string): this {
    this.answers.push({ text: null, usage: undefined, toolCall: { name, arguments: args } });
    return this;
  }

  transcribeNext(text: string): this {
    this.transcripts.push(text);
    return this;
  }

  failNext(count: number, failure: OpenAiFailure): this {
    return this.push(count, { kind: 'fail', failure });
  }

  /** The next `count` requests are answered normally after `ms`, unless the client gave up first. */
  slowNext(count: number, ms: number): this {
    return this.push(count, { kind: 'slow', ms });
  }

  /** The next `count` requests are read, then their connection is destroyed without an answer. */
  dropNext(count: number): this {
    return this.push(count, { kind: 'drop' });
  }

  waitForRequests(count: number, timeoutMs = 5_000): Promise<OpenAiRequest[]> {
    return this.recorded.waitFor(count, timeoutMs, 'OpenAI double');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.faults.dispose();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private push(count: number, step: Step): this {
    this.script.push(...Array.from({ length: count }, () => step));
    return this;
  }

  private get apiPath(): string {
    return this.options.apiPath ?? '/v1';
  }

  private authorized(header: string | undefined): boolean {
    const { apiKey, acceptsToken } = this.options;
    if (acceptsToken) return acceptsToken(header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined);
    return apiKey === undefined || header === `Bearer ${apiKey}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = performance.now();
    const rawBody = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const endpoint: OpenAiEndpoint =
      req.method === 'POST' && path === `${this.apiPath}/chat/completions` ? 'chat.completions'
      : req.method === 'POST' && path === `${this.apiPath}/audio/transcriptions` ? 'audio.transcriptions'
      : 'unknown';
    const body = endpoint === 'audio.transcriptions' ? parseMultipart(req.headers['content-type'], rawBody) : parseJson(rawBody.toString('utf8'));
    const request: OpenAiRequest = { endpoint, method: req.method ?? '', path, headers: req.headers, arrivedAt, rawBody, body, outcome: { kind: 'pending' } };
    this.recorded.push(request);

    const admitted = await this.faults.admit(req);
    if (admitted === 'drop') {
      // Nothing generated yet: closing unanswered is what a drop means for the model.
      request.outcome = { kind: 'dropped' };
      req.socket.destroy();
      return;
    }
    if (admitted !== 'pass') {
      request.outcome = { kind: admitted === 'reset' ? 'dropped' : 'abandoned' };
      return;
    }
    if (endpoint === 'unknown') return this.reply(request, res, 404, openAiError(`Invalid URL (${req.method} ${path})`, 'invalid_request_error'), 'invalid');
    if (!this.authorized(req.headers.authorization)) {
      return this.reply(request, res, 401, openAiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'), 'failed');
    }
    const step = this.script.shift();
    if (step?.kind === 'drop') {
      request.outcome = { kind: 'dropped' };
      req.socket.destroy();
      return;
    }
    if (step?.kind === 'fail') return this.fail(request, res, step.failure);
    const answer = () => (endpoint === 'chat.completions' ? this.answerChat(request, res) : this.answerTranscription(request, res));
    if (step?.kind !== 'slow') return answer();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (res.destroyed || req.socket.destroyed) request.outcome = { kind: 'abandoned' };
      else answer();
    }, step.ms);
    this.timers.add(timer);
  }

  private answerChat(request: OpenAiRequest, res: ServerResponse): void {
    const body = request.body as { model?: unknown; messages?: unknown } | undefined;
    if (body === undefined || typeof body !== 'object' || body === null) {
      return this.reply(request, res, 400, openAiError('We could not parse the JSON body of your request.', 'invalid_request_error'), 'invalid');
    }
    if (typeof body.model !== 'string' || body.model === '') {
      return this.reply(request, res, 400, openAiError('you must provide a model parameter', 'invalid_request_error', null, 'model'), 'invalid');
    }
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isMessage)) {
      return this.reply(request, res, 400, openAiError("Invalid value for 'messages': expected a non-empty array of {role, content}.", 'invalid_request_error', null, 'messages'), 'invalid');
    }
    const orphan = unansweredToolMessage(messages);
    if (orphan !== undefined) {
      return this.reply(request, res, 400, openAiError(`Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'. (message ${orphan})`, 'invalid_request_error', null, `messages.[${orphan}].role`), 'invalid');
    }
    const lastUser = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
    const scripted = this.answers.shift();
    const text = scripted ? scripted.text : (this.options.compose?.(lastUser, this.recorded.items.indexOf(request)) ?? lastUser);
    const promptChars = messages.reduce((sum, m) => sum + (m.content?.length ?? 0), 0);
    const usage = scripted?.usage === null ? undefined : (scripted?.usage ?? { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil((text ?? '').length / 4) });
    this.reply(request, res, 200, {
      id: `chatcmpl-${randomBytes(12).toString('base64url')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: this.options.servedModel?.(body.model) ?? body.model,
      choices: [
        scripted?.toolCall
          ? {
              index: 0,
              message: { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: `call_${randomBytes(9).toString('base64url')}`, type: 'function', function: scripted.toolCall }] },
              logprobs: null,
              finish_reason: 'tool_calls',
            }
          : { index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' },
      ],
      ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
    }, 'answered');
  }

  private answerTranscription(request: OpenAiRequest, res: ServerResponse): void {
    const body = request.body as MultipartBody | undefined;
    const file = body?.files.find((f) => f.name === 'file');
    if (!body || !file || !body.fields.model) {
      return this.reply(request, res, 400, openAiError("Missing required parameter: 'file' and 'model' are required.", 'invalid_request_error', null, file ? 'model' : 'file'), 'invalid');
    }
    const text = this.transcripts.shift() ?? `transcript of ${file.filename} (${file.size} bytes)`;
    if (body.fields.response_format === 'text') {
      request.outcome = { kind: 'answered', status: 200 };
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': requestId() }).end(text);
      return;
    }
    this.reply(request, res, 200, { text }, 'answered');
  }

  private fail(request: OpenAiRequest, res: ServerResponse, failure: OpenAiFailure): void {
    const headers: Record<string, string> = { 'x-request-id': requestId(), ...failure.headers };
    if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
    if (failure.retryAfterMs !== undefined) headers['retry-after-ms'] = String(failure.retryAfterMs);
    request.outcome = { kind: 'failed', status: failure.status };
    if (typeof failure.body === 'string') {
      res.writeHead(failure.status, { 'content-type': 'text/html', ...headers }).end(failure.body);
      return;
    }
    res.writeHead(failure.status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(failure.body ?? defaultErrorBody(failure.status)));
  }

  private reply(request: OpenAiRequest, res: ServerResponse, status: number, body: unknown, kind: 'answered' | 'failed' | 'invalid'): void {
    request.outcome = { kind, status };
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': requestId(), 'openai-processing-ms': '1' }).end(JSON.stringify(body));
  }
}

/** OpenAI's error body: `{error:{message, type, param, code}}`. */
export function openAiError(message: string, type: string, code: string | null = null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

function defaultErrorBody(status: number) {
  switch (status) {
    case 400: return openAiError('Invalid request.', 'invalid_request_error');
    case 401: return openAiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    case 403: return openAiError('Country, region, or territory not supported', 'invalid_request_error', 'unsupported_country_region_territory');
    case 404: return openAiError('The model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found');
    case 429: return openAiError('Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded');
    case 503: return openAiError('The engine is currently overloaded, please try again later', 'server_error');
    default:
      return status >= 500
        ? openAiError('The server had an error while processing your request. Sorry about that!', 'server_error')
        : openAiError(`Scripted error ${status}.`, 'invalid_request_error');
  }
}

interface WireMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/**
 * As the API has it: content is a string, except an assistant message with `tool_calls` (null
 * allowed); a tool message names the call it answers (`tool_call_id`); each call's arguments are a string.
 */
function isMessage(value: unknown): value is WireMessage {
  const m = value as { role?: unknown; content?: unknown; tool_calls?: unknown; tool_call_id?: unknown } | null;
  if (typeof m !== 'object' || m === null || !['system', 'developer', 'user', 'assistant', 'tool'].includes(m.role as string)) return false;
  if (m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
    const calls = m.tool_calls as { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } }[];
    return (m.content === null || typeof m.content === 'string') && calls.every((c) => typeof c.id === 'string' && c.type === 'function' && typeof c.function?.name === 'string' && typeof c.function.arguments === 'string');
  }
  if (m.role === 'tool' && typeof m.tool_call_id !== 'string') return false;
  return typeof m.content === 'string';
}

/** The index of a tool message that answers no call of the assistant message before it (the API refuses those). */
function unansweredToolMessage(messages: WireMessage[]): number | undefined {
  let open = new Set<string>();
  for (const [index, message] of messages.entries()) {
    if (message.role === 'tool') {
      if (!open.has(message.tool_call_id ?? '')) return index;
      continue;
    }
    open = new Set((message.tool_calls ?? []).map((call) => call.id));
  }
  return undefined;
}

function requestId(): string {
  return `req_${randomBytes(16).toString('hex')}`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseMultipart(contentType: string | undefined, raw: Buffer): MultipartBody | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (!contentType?.startsWith('multipart/form-data') || !delimiter) return undefined;
  const body: MultipartBody = { fields: {}, files: [] };
  const marker = Buffer.from(`--${delimiter}`);
  let start = raw.indexOf(marker);
  while (start !== -1) {
    const next = raw.indexOf(marker, start + marker.length);
    if (next === -1) break;
    const part = raw.subarray(start + marker.length + 2, next - 2); // skip CRLF after the marker and before the next
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const head = part.subarray(0, split).toString('utf8');
      const content = part.subarray(split + 4);
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      const filename = /filename="([^"]*)"/i.exec(head)?.[1];
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
      if (name !== undefined && filename !== undefined) body.files.push({ name, filename, contentType: type, size: content.length });
      else if (name !== undefined) body.fields[name] = content.toString('utf8');
    }
    start = next;
  }
  return body;
}
