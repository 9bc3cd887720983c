import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, isIsolatedCircuitError, type CircuitBreakerPolicy } from 'cockatiel';
import { createOpenAiClient } from './openai-client.js';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError, type ClientOptions } from 'openai';
import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { CompletionError, type Completion, type CompletionModel, type CompletionRequest, type ChatTurn } from '../../domain/ports/completion-model.js';
import type { FailureReason } from '../../domain/model/reasons.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Logger } from '../../observability/logger.js';

export interface OpenAiCompletionModelOptions {
  /**
   * Absent for a keyless OpenAI-compatible server: then no `Authorization` header is sent. A
   * function is called before every request for a current token; a `CompletionError` it throws
   * is the call's outcome (Vertex AI's access tokens).
   */
  apiKey?: string | (() => Promise<string>);
  /** `OPENAI_BASE_URL`: any OpenAI-compatible server (vLLM, Ollama, llama.cpp, a gateway); OpenAI's API when absent. */
  baseURL?: string;
  defaultModel: string;
  /** One attempt's limit (default 30 s). The caller's signal bounds the whole call, retries included. */
  timeoutMs?: number;
  /** The whole call's limit, retries and their waits included (default: only the caller's `timeoutMs`). */
  callTimeoutMs?: number;
  /** Attempts after the first for 408/409/429/5xx, timeouts and connection errors (default 2). */
  maxRetries?: number;
  /** Exponential backoff between retries when the server names no wait (defaults 500 ms doubling to 8 s, 25 % jitter). */
  backoff?: { initialDelayMs?: number; maxDelayMs?: number };
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  /** Times the open circuit's wait before a probe (default the system clock): tests move it instead of sleeping. */
  clock?: Pick<Clock, 'now'>;
  fetch?: ClientOptions['fetch'];
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** Failures worth another attempt, and the only ones that count towards opening the circuit. */
const TRANSIENT: ReadonlySet<FailureReason> = new Set(['model_rate_limited', 'model_unavailable', 'model_timeout', 'model_unreachable']);
// A server asking for a longer pause than this is left to the message's redelivery instead.
const MAX_RETRY_AFTER_MS = 60_000;
// A retry is only worth starting with at least this long left for its answer.
const MIN_ATTEMPT_MS = 100;

/** The caller's signal, ended also when `budgetMs` has passed (a `TimeoutError`, reported as model-timeout). */
function withDeadline(signal: AbortSignal | undefined, budgetMs: number | undefined): AbortSignal | undefined {
  if (budgetMs === undefined) return signal;
  const timeout = AbortSignal.timeout(budgetMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/**
 * Chat completions through the openai SDK against OpenAI or any compatible server. The retry policy
 * is ours, not the SDK's (its `maxRetries` is 0): 408/409/429/5xx, timeouts and connection errors
 * are tried `maxRetries` more times, waiting what `retry-after-ms`/`retry-after` ask (≤ 60 s) or an
 * exponential backoff; other 4xx never, whatever `x-should-retry` says. Every attempt goes through a
 * cockatiel circuit breaker that counts only those transient failures, so during an outage calls
 * fail fast with `model_circuit_open` instead of piling up. Errors never carry prompt text, vendor
 * messages or the key.
 */
export class OpenAiCompletionModel implements CompletionModel {
  private readonly client: OpenAI;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly halfOpenAfterMs: number;
  /** When the circuit last opened, by `clock`. */
  private openedAt = 0;
  private readonly defaultModel: string;
  private readonly timeoutMs: number;
  private readonly callTimeoutMs: number | undefined;
  private readonly maxRetries: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly logger: OpenAiCompletionModelOptions['logger'];

  constructor(options: OpenAiCompletionModelOptions) {
    this.defaultModel = options.defaultModel;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.callTimeoutMs = options.callTimeoutMs;
    this.maxRetries = options.maxRetries ?? 2;
    this.initialDelayMs = options.backoff?.initialDelayMs ?? 500;
    this.maxDelayMs = options.backoff?.maxDelayMs ?? 8_000;
    this.client = createOpenAiClient({
      timeoutMs: this.timeoutMs,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const halfOpenAfterMs = options.breaker?.halfOpenAfterMs ?? 30_000;
    this.halfOpenAfterMs = halfOpenAfterMs;
    this.clock = options.clock ?? { now: () => Date.now() };
    // cockatiel times its open state with Date.now(): it is told to probe at once, and `admit`
    // holds calls back by the injected clock until halfOpenAfterMs have passed.
    this.breaker = circuitBreaker(
      handleWhen((error) => TRANSIENT.has(classify(error, this.timeoutMs).reason)),
      { halfOpenAfter: 0, breaker: new ConsecutiveBreaker(options.breaker?.consecutiveFailures ?? 5) },
    );
    this.breaker.onBreak(() => {
      this.openedAt = this.clock.now();
    });
    const logger = options.logger;
    if (logger) {
      this.breaker.onBreak((failure) => {
        const reason = 'error' in failure ? classify(failure.error, this.timeoutMs).reason : 'isolated';
        logger.error('model circuit open: completions fail fast until a probe succeeds', { reason, halfOpenAfterMs });
      });
      this.breaker.onHalfOpen(() => logger.info('model circuit half-open: probing'));
      this.breaker.onReset(() => logger.info('model circuit closed'));
    }
    this.logger = logger;
  }

  get circuitState(): 'closed' | 'open' | 'half-open' | 'isolated' {
    const names = { [CircuitState.Closed]: 'closed', [CircuitState.Open]: 'open', [CircuitState.HalfOpen]: 'half-open', [CircuitState.Isolated]: 'isolated' } as const;
    return names[this.breaker.state];
  }

  /**
   * `timeoutMs` (the caller's lease) and `callTimeoutMs` bound the whole call: each attempt gets at
   * most what is left of it, and a retry whose wait would not leave time for an attempt is not made.
   */
  async complete(request: CompletionRequest, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Completion> {
    const model = request.model ?? this.defaultModel;
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: request.systemPrompt },
      ...request.turns.map(messageOf),
    ];
    const tools = request.tools?.map((tool) => ({ type: 'function' as const, function: { name: tool.name, description: tool.description, parameters: tool.parameters } }));
    const body = {
      model,
      messages,
      max_tokens: request.maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(tools && tools.length > 0 ? { tools } : {}),
    };
    const budgets = [options.timeoutMs, this.callTimeoutMs].filter((ms): ms is number => ms !== undefined);
    const budgetMs = budgets.length > 0 ? Math.max(1, Math.min(...budgets)) : undefined;
    const deadline = budgetMs !== undefined ? Date.now() + budgetMs : Infinity;
    const signal = withDeadline(options.signal, budgetMs);
    for (let attempt = 1; ; attempt++) {
      let response: ChatCompletion;
      try {
        const timeout = Math.max(1, Math.min(this.timeoutMs, deadline - Date.now()));
        this.admit();
        response = await this.breaker.execute(() => this.client.chat.completions.create(body, { timeout, maxRetries: 0, ...(signal ? { signal } : {}) }), signal);
      } catch (error) {
        const failure = classify(error, this.timeoutMs, signal);
        const delayMs = TRANSIENT.has(failure.reason) && attempt <= this.maxRetries ? this.retryDelayMs(error, attempt) : undefined;
        // A retry needs its wait and some time to answer within the budget; else the caller retries later.
        if (delayMs === undefined || Date.now() + delayMs + MIN_ATTEMPT_MS > deadline) throw failure;
        this.logger?.warn('model call failed, retrying', { reason: failure.reason, status: statusOf(error), attempt, delayMs });
        await pause(delayMs, signal);
        continue;
      }
      return toCompletion(response, model);
    }
  }

  /** An open circuit refuses calls until halfOpenAfterMs have passed by the clock; then cockatiel lets one probe through. */
  private admit(): void {
    if (this.breaker.state === CircuitState.Open && this.clock.now() - this.openedAt < this.halfOpenAfterMs) throw new BrokenCircuitError();
  }

  private retryDelayMs(error: unknown, attempt: number): number | undefined {
    const asked = error instanceof APIError ? retryAfterMs(error.headers) : undefined;
    if (asked !== undefined) return asked <= MAX_RETRY_AFTER_MS ? asked : undefined;
    const base = Math.min(this.initialDelayMs * 2 ** (attempt - 1), this.maxDelayMs);
    return Math.round(base * (1 - Math.random() * 0.25));
  }
}

/** A turn as the chat completions API takes it: tool calls and their answers keep their ids. */
function messageOf(turn: ChatTurn): ChatCompletionMessageParam {
  if (turn.role === 'tool') return { role: 'tool', tool_call_id: turn.toolCallId ?? '', content: turn.content };
  if (turn.role === 'assistant' && turn.toolCalls?.length) {
    return {
      role: 'assistant',
      content: turn.content || null,
      tool_calls: turn.toolCalls.map((call) => ({
        id: call.id,
        type: 'function' as const,
        function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}) },
      })),
    };
  }
  return { role: turn.role, content: turn.content };
}

function toCompletion(response: ChatCompletion, model: string): Completion {
  const message = response.choices?.[0]?.message;
  const text = message?.content ?? '';
  const toolCalls = (message?.tool_calls ?? []).flatMap((call) => (call.type === 'function' ? [{ id: call.id, name: call.function.name, arguments: parsedArguments(call.function.arguments) }] : []));
  if (!text.trim() && toolCalls.length === 0) throw new CompletionError('the model returned an empty completion', false, { reason: 'empty_completion' });
  const usage = { prompt: response.usage?.prompt_tokens ?? 0, completion: response.usage?.completion_tokens ?? 0 };
  // The requested name, not the server's (often a dated snapshot): it is the key of the price table.
  return { text, model, usage, ...(toolCalls.length > 0 ? { toolCalls } : {}) };
}

/** A tool call's arguments as JSON when they are, else the text as given (the caller validates them). */
function parsedArguments(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function classify(error: unknown, timeoutMs: number, signal?: AbortSignal): CompletionError {
  if (error instanceof CompletionError) return error;
  // The SDK wraps what an `apiKey` function throws: the token source's own classification stands.
  if (error instanceof OpenAIError && error.cause instanceof CompletionError) return error.cause;
  if (error instanceof BrokenCircuitError || isIsolatedCircuitError(error)) {
    return new CompletionError('model circuit open: not calling the model server', true, { reason: 'model_circuit_open' });
  }
  if (error instanceof APIUserAbortError || signal?.aborted) return abortedBy(signal);
  if (error instanceof APIConnectionTimeoutError) {
    return new CompletionError(`model call timed out after ${timeoutMs} ms`, true, { reason: 'model_timeout' });
  }
  if (error instanceof APIConnectionError) {
    return new CompletionError(`model server unreachable${networkCode(error)}`, true, { reason: 'model_unreachable' });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const { status } = error;
    const message = `model call failed: HTTP ${status}${vendorCodes(error)}`;
    if (status === 401 || status === 403) return new CompletionError(message, false, { reason: 'model_auth_failed' });
    if (status === 429) return new CompletionError(message, true, { reason: 'model_rate_limited' });
    if (status === 408 || status === 409 || status >= 500) return new CompletionError(message, true, { reason: 'model_unavailable' });
    return new CompletionError(message, false, { reason: `model_rejected_${status}` });
  }
  return new CompletionError(`model call failed: ${error instanceof Error ? error.name : 'unknown error'}`, true);
}

function abortedBy(signal: AbortSignal | undefined): CompletionError {
  const reason: unknown = signal?.reason;
  return reason instanceof DOMException && reason.name === 'TimeoutError'
    ? new CompletionError('model call exceeded the caller deadline', true, { reason: 'model_timeout' })
    : new CompletionError('model call aborted by the caller', true, { reason: 'model_call_aborted' });
}

/** `retry-after-ms` (OpenAI's, milliseconds) wins over `retry-after` (seconds or an HTTP date). */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(wait) && wait >= 0 ? wait : undefined;
}

// Vendor `type`/`code` are short identifiers; the free-text `message` may quote the prompt, so it is never kept.
function vendorCodes(error: APIError): string {
  const safe = [error.type, error.code].filter((value): value is string => typeof value === 'string' && /^[\w.-]{1,64}$/.test(value));
  const requestId = typeof error.requestID === 'string' && /^[\w.-]{1,128}$/.test(error.requestID) ? ` (request ${error.requestID})` : '';
  return `${safe.length ? ` ${safe.join('/')}` : ''}${requestId}`;
}

function networkCode(error: APIConnectionError): string {
  for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return ` (${code})`;
  }
  return '';
}

function statusOf(error: unknown): number | undefined {
  return error instanceof APIError && typeof error.status === 'number' ? error.status : undefined;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedBy(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedBy(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
