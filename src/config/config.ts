import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_LEASE_MARGIN_MS } from '../domain/use-cases/lease-budget.js';
import { parseDatabaseUrl } from '../adapters/postgres/database-url.js';
import { rateCardSetting } from './rate-card.js';

export const ROLES = ['listener', 'worker', 'api', 'all'] as const;
export type Role = (typeof ROLES)[number];

const optionalText = z.string().trim().min(1).optional();
const priceTable = z.record(z.string().min(1), z.object({ prompt: z.number().min(0), completion: z.number().min(0) }));
const secret = (minLength: number) => z.string().min(minLength, `must be at least ${minLength} characters`).optional();
/** Standard Webhooks keys: HMAC-SHA256 keys shorter than 24 bytes are guessable offline from one signed request. */
const MIN_WEBHOOK_KEY_BYTES = 24;
const webhookKeyOf = (value: string) => Buffer.from(value.slice('whsec_'.length), 'base64');
const WEBHOOK_SECRET_SHAPE = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
const webhookSecret = z
  .string()
  .regex(WEBHOOK_SECRET_SHAPE, 'must be whsec_ followed by base64')
  // One problem per setting: the length is only judged once the shape is right.
  .refine((value) => !WEBHOOK_SECRET_SHAPE.test(value) || webhookKeyOf(value).length >= MIN_WEBHOOK_KEY_BYTES, `must decode to at least ${MIN_WEBHOOK_KEY_BYTES} bytes (whsec_ + base64 of 24 or more random bytes)`)
  .optional();

/**
 * postgres://user:pw@host:port/db, or the Unix-socket form Cloud SQL on Cloud Run uses:
 * postgresql://user:pw@/db?host=/cloudsql/PROJECT:REGION:INSTANCE (the socket's directory).
 * Messages never repeat the value: it holds the password.
 */
const databaseUrl = z
  .string()
  .refine((value) => parseDatabaseUrl(value) !== undefined, 'must be a postgres:// URL with a host, or postgres://user@/db?host=/socket/dir');

const retentionDays = (days: number) => z.coerce.number({ error: 'must be a whole number of days' }).int('must be a whole number of days').min(1).max(36_500).default(days);

const schema = z.object({
  ROLE: z.enum(ROLES).default('all'),
  PORT: z.coerce.number({ error: 'must be a port number 0–65535' }).int().min(0).max(65535).default(8080),
  /** Default: 127.0.0.1 for ROLE=all (a local run), 0.0.0.0 for the Cloud Run roles. */
  HOST: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  PROJECT_ID: optionalText,
  FIRESTORE_PROJECT: optionalText,
  PUBSUB_TOPIC: z.string().min(3).default('vocoeng-inbound'),
  PUBSUB_INTERACTIONS_TOPIC: z.string().min(3).default('vocoeng-interactions'),
  PUBSUB_SUBSCRIPTION: optionalText,
  WORKER_MODE: z.enum(['push', 'pull']).default('push'),
  PUSH_AUDIENCE: optionalText,
  PUSH_SERVICE_ACCOUNT: z.email().optional(),
  /** `none` only where nothing but a trusted pusher can reach the service (emulators sign nothing). */
  PUSH_AUTH: z.enum(['oidc', 'none']).default('oidc'),
  SECRET_MANAGER_SECRETS: optionalText,
  /** `host:port` of a plaintext Secret Manager endpoint (a local double); unset in production. */
  SECRET_MANAGER_ENDPOINT: z.string().regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port').optional(),
  DATABASE_URL: databaseUrl.optional(),
  /** Where embedded state lives when no DATABASE_URL is set (PGlite under `<DATA_DIR>/pglite`). */
  DATA_DIR: z.string().min(1).default('.data'),
  WHATSAPP_APP_SECRET: secret(8),
  WHATSAPP_VERIFY_TOKEN: secret(8),
  WHATSAPP_ACCESS_TOKEN: secret(8),
  WHATSAPP_API_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://graph.facebook.com'),
  WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'must look like v23.0').default('v23.0'),
  /** What WhatsApp charges per delivered message: a JSON rate card, inline or a file's path (default: the shipped card). */
  WHATSAPP_RATE_CARD: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const result = rateCardSetting(value);
      if ('card' in result) return result.card;
      for (const problem of result.problems) ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }),
  API_WEBHOOK_SECRET: webhookSecret,
  /** Signs callbacks (and tool calls) with a key of their own, so one replayed to /webhooks/api never verifies. */
  API_CALLBACK_SECRET: webhookSecret,
  /** Hosts a callbackUrl may reach even though they resolve to private or loopback addresses. */
  CALLBACK_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((host) => host.trim()).filter(Boolean)),
  AI_PROVIDER: z.enum(['openai', 'vertex', 'scripted']).optional(),
  /** Vertex AI: a region (`europe-west1`) or `global` (Google's global endpoint, the most available). */
  VERTEX_LOCATION: z.string().regex(/^(global|[a-z]+-[a-z]+\d+)$/, 'must be a Google Cloud region like europe-west1, or global').default('global'),
  /** The project Vertex AI bills and serves from, when not PROJECT_ID. */
  VERTEX_PROJECT: optionalText,
  /** Replaces https://{VERTEX_LOCATION}-aiplatform.googleapis.com (a local double in tests); the API path is kept. */
  VERTEX_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The default model with AI_PROVIDER=vertex (Vertex AI's OpenAI-compatible names: publisher/model). */
  VERTEX_MODEL: z.string().min(1).default('google/gemini-2.5-flash'),
  OPENAI_API_KEY: secret(8),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** Speech-to-text model for voice notes (OpenAI provider only); `off` sends the media reply instead. */
  TRANSCRIPTION_MODEL: z.string().min(1).default('whisper-1'),
  /**
   * One model call's whole budget, retries included (a retry starts only within what is left);
   * for AI_PROVIDER=vertex too.
   * With the other budgets it must fit in REPLY_LEASE_MS (checked below).
   */
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(290_000).default(30_000),
  /** A voice note's download and transcription together; counted in the lease when voice notes are transcribed. */
  TRANSCRIPTION_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(290_000).default(20_000),
  /**
   * How long a worker owns a message while generating or sending its reply; a redelivery takes it
   * over only after that. Below the push subscription's 300 s ack deadline.
   */
  REPLY_LEASE_MS: z.coerce.number().int().min(10_000).max(290_000).default(60_000),
  /** Tokens the prompt may use (system prompt, history, message); older exchanges are dropped first. */
  HISTORY_TOKEN_BUDGET: z.coerce.number().int().min(256).max(1_000_000).default(6_000),
  MODEL_PRICES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return {};
      try {
        const parsed = priceTable.safeParse(JSON.parse(value));
        if (parsed.success) return parsed.data;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'must be JSON like {"model":{"prompt":0.15,"completion":0.6}} (USD per million tokens)' });
      return z.NEVER;
    }),
  SYSTEM_PROMPT: z
    .string()
    .min(1)
    .default('You are a helpful, concise assistant answering customers of this business on WhatsApp. Reply in the language of the customer.'),
  FALLBACK_TEXT: z.string().min(1).default('Sorry, we could not answer right now. Please try again in a few minutes.'),
  /** Later messages arriving within this window of one being answered share its completion (0: off). */
  COALESCE_WINDOW_MS: z.coerce.number().int().min(0).max(30_000).default(0),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(10_000).default(20),
  DAILY_SPEND_CAP_USD: z.coerce.number().min(0).default(0),
  LIMIT_REPLY_TEXT: z.string().min(1).default('You are sending messages faster than I can answer. Please wait a moment and try again.'),
  HANDOFF_TEXT: z.string().min(1).max(4096).default('I have asked a person from our team to take over. They will answer you here shortly.'),
  MEDIA_REPLY_TEXT: z.string().min(1).default('Thanks! I can only read text for now. Could you describe it in a message?'),
  BOOTSTRAP_API_KEY: secret(16),
  /**
   * Pull worker: how long a transient failure of a message is retried in the process (paced, 1 s
   * doubling to 15 s) before the message is nacked back to Pub/Sub. 0 nacks at once.
   */
  PULL_RETRY_WINDOW_MS: z.coerce.number().int().min(0).max(600_000).default(240_000),
  /**
   * Pull worker: messages handled at once (each conversation one at a time). Held messages
   * (flow control) are ten times as many, at least 100, so one busy conversation never fills them.
   */
  PULL_MAX_CONCURRENT: z.coerce.number().int().min(1).max(1_000).default(10),
  /**
   * Crash tests only: `point[:probability],…` (points of FAULT_POINTS, probability 0–1,
   * default 1). The process kills itself with SIGKILL when it passes a listed point.
   */
  FAULT_CRASH_AT: z
    .string()
    .regex(
      /^(after-receive|after-claim|after-model|after-store-reply|after-send|after-ack|after-accept|after-tool-call)(:(0(\.\d+)?|1(\.0+)?))?(,(after-receive|after-claim|after-model|after-store-reply|after-send|after-ack|after-accept|after-tool-call)(:(0(\.\d+)?|1(\.0+)?))?)*$/,
      'must be point[:probability],… with points after-receive, after-claim, after-model, after-store-reply, after-send, after-ack, after-accept, after-tool-call and probabilities 0–1',
    )
    .optional(),
  /** Transcripts expire (Firestore TTL on `expireAt`) this many days after their last write. */
  CHAT_RETENTION_DAYS: retentionDays(90),
  /** The api role's retention sweep deletes dead letters and analytics facts older than these. */
  DEAD_LETTER_RETENTION_DAYS: retentionDays(30),
  ANALYTICS_RETENTION_DAYS: retentionDays(400),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: secret(12),
  /** OpenTelemetry metrics: off, to Cloud Monitoring, or Prometheus text on METRICS_PORT (bound to HOST). */
  METRICS_EXPORTER: z.enum(['none', 'gcp', 'prometheus']).default('none'),
  METRICS_PORT: z.coerce.number({ error: 'must be a port number 1–65535' }).int('must be a port number 1–65535').min(1, 'must be a port number 1–65535').max(65535, 'must be a port number 1–65535').default(9464),
  /** Set by Cloud Run: the service name metrics are filed under (default vocoeng-<role>). */
  K_SERVICE: optionalText,
  /** `host:port` of the Cloud Monitoring API (HTTPS); a local double in tests, unset in production. */
  CLOUD_MONITORING_ENDPOINT: z.string().regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port').optional(),
});

type Env = z.infer<typeof schema>;

const cliSchema = schema.pick({ DATABASE_URL: true, DATA_DIR: true, LOG_LEVEL: true, PROJECT_ID: true, PUBSUB_TOPIC: true, PUBSUB_INTERACTIONS_TOPIC: true }).extend({
  /** The CLI is handed its environment, so it passes the emulator on to the client itself. */
  PUBSUB_EMULATOR_HOST: optionalText,
});
export type CliConfig = z.infer<typeof cliSchema>;

/** Only what the command-line tools use: the database and, to replay dead letters, Pub/Sub. */
export function loadCliConfig(env: Readonly<Record<string, string | undefined>>): Readonly<CliConfig> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')) as Record<string, string>;
  const parsed = cliSchema.safeParse(cleaned);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => problemOf(issue, cleaned)));
  return Object.freeze(parsed.data);
}

export type AiProvider = 'openai' | 'vertex' | 'scripted';

export interface Config extends Omit<Env, 'HOST'> {
  readonly HOST: string;
  readonly aiProvider: AiProvider | undefined;
  /** True when API_CALLBACK_SECRET was generated for this run (a local ROLE=all without one). */
  readonly callbackSecretGenerated: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; every bad or missing setting is listed in one `ConfigError`. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Readonly<Config> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')) as Record<string, string>;
  const parsed = schema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => problemOf(issue, cleaned));
  // Rules across variables are checked on the raw values too, so one message lists everything.
  const view = { ...cleaned, ...(parsed.success ? parsed.data : {}) } as unknown as Env;
  if (!ROLES.includes(view.ROLE)) view.ROLE = 'all';
  problems.push(...crossFieldProblems({ ...view, HOST: '', aiProvider: resolveAiProvider(view), callbackSecretGenerated: false }));
  problems.push(...leaseBudgetProblems(cleaned, resolveAiProvider(view)));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const HOST = parsed.data.HOST ?? (parsed.data.ROLE === 'all' ? '127.0.0.1' : '0.0.0.0');
  const callbackSecretGenerated = generatesCallbackSecret(parsed.data);
  // A local trial still delivers callbacks; the key is fresh per run and never printed (the start-up log says so).
  const API_CALLBACK_SECRET = callbackSecretGenerated ? `whsec_${randomBytes(32).toString('base64')}` : parsed.data.API_CALLBACK_SECRET;
  return Object.freeze({ ...parsed.data, HOST, API_CALLBACK_SECRET, aiProvider: resolveAiProvider(parsed.data), callbackSecretGenerated });
}

/** Only a local ROLE=all (no PROJECT_ID) that takes the API channel may run on a generated callback key. */
function generatesCallbackSecret(env: Env): boolean {
  return env.ROLE === 'all' && !env.PROJECT_ID && Boolean(env.API_WEBHOOK_SECRET) && !env.API_CALLBACK_SECRET;
}

function problemOf(issue: z.core.$ZodIssue, env: Record<string, string>): string {
  const name = issue.path.join('.') || 'environment';
  const given = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
  const shown = given === undefined || SECRET_NAMES.has(name) ? '' : ` (got "${given.slice(0, 60)}")`;
  return `${name}: ${issue.message}${shown}`;
}

const SECRET_NAMES = new Set([
  'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN', 'WHATSAPP_ACCESS_TOKEN', 'API_WEBHOOK_SECRET', 'API_CALLBACK_SECRET',
  'OPENAI_API_KEY', 'BOOTSTRAP_API_KEY', 'ADMIN_PASSWORD', 'DATABASE_URL',
]);

function resolveAiProvider(env: Env): AiProvider | undefined {
  if (env.AI_PROVIDER === 'openai' || env.AI_PROVIDER === 'vertex' || env.AI_PROVIDER === 'scripted') return env.AI_PROVIDER;
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) return 'openai';
  return (env.ROLE ?? 'all') === 'all' ? 'scripted' : undefined;
}

function crossFieldProblems(config: Config): string[] {
  const problems: string[] = [];
  const role: Role = config.ROLE ?? 'all';
  const runs = (r: Role) => role === r || role === 'all';
  if (role !== 'all' && !config.PROJECT_ID) {
    problems.push(`PROJECT_ID: required for ROLE=${role} (only ROLE=all runs on the in-process bus)`);
  }
  if (runs('worker') && !config.aiProvider) {
    problems.push('AI_PROVIDER: a worker needs OPENAI_API_KEY or OPENAI_BASE_URL, AI_PROVIDER=vertex, or AI_PROVIDER=scripted set explicitly');
  }
  if (config.aiProvider === 'vertex' && !config.VERTEX_PROJECT && !config.PROJECT_ID) {
    problems.push('VERTEX_PROJECT: required when AI_PROVIDER=vertex without PROJECT_ID (the project Vertex AI serves Gemini from)');
  }
  if (config.aiProvider === 'openai' && !config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
    problems.push('OPENAI_API_KEY: required when AI_PROVIDER=openai (or set OPENAI_BASE_URL for a keyless compatible server)');
  }
  if (runs('worker') && config.WORKER_MODE === 'pull' && !config.PUBSUB_SUBSCRIPTION) {
    problems.push('PUBSUB_SUBSCRIPTION: required when WORKER_MODE=pull');
  }
  if (role === 'listener' && !config.WHATSAPP_APP_SECRET && !config.API_WEBHOOK_SECRET) {
    problems.push('WHATSAPP_APP_SECRET or API_WEBHOOK_SECRET: a listener needs at least one channel secret');
  }
  problems.push(...callbackSecretProblems(config, runs('worker')));
  if (config.WHATSAPP_APP_SECRET && !config.WHATSAPP_VERIFY_TOKEN) {
    problems.push('WHATSAPP_VERIFY_TOKEN: required with WHATSAPP_APP_SECRET (Meta verifies the webhook with it)');
  }
  if (config.SECRET_MANAGER_SECRETS && !config.PROJECT_ID) problems.push('PROJECT_ID: required with SECRET_MANAGER_SECRETS (secrets are read from that project)');
  if (config.ADMIN_EMAIL && !config.ADMIN_PASSWORD) problems.push('ADMIN_PASSWORD: required with ADMIN_EMAIL');
  problems.push(...pushAuthProblems(config));
  problems.push(...metricsProblems(config));
  return problems;
}

/** The Prometheus endpoint needs a port of its own; Cloud Monitoring needs the project to write to. */
function metricsProblems(config: Config): string[] {
  if (config.METRICS_EXPORTER === 'prometheus' && Number(config.METRICS_PORT) === Number(config.PORT ?? 8080)) {
    return [`METRICS_PORT: must differ from PORT (both ${config.PORT ?? 8080}); the Prometheus endpoint is a server of its own`];
  }
  // Other roles already report a missing PROJECT_ID on their own line.
  if (config.METRICS_EXPORTER === 'gcp' && config.ROLE === 'all' && !config.PROJECT_ID) return ['PROJECT_ID: required with METRICS_EXPORTER=gcp (the Cloud Monitoring project metrics are written to)'];
  return [];
}

/**
 * Whether the process serves Pub/Sub push endpoints that a subscription delivers to: the api
 * (interactions, dead letters), a push worker, and ROLE=all on Pub/Sub. ROLE=all on the in-process
 * bus mounts the same routes but nothing pushes to it; without OIDC settings they refuse every push.
 */
export function takesPushes(config: Pick<Config, 'ROLE' | 'WORKER_MODE' | 'PROJECT_ID'>): boolean {
  if (config.ROLE === 'api') return true;
  if (config.ROLE === 'worker') return config.WORKER_MODE === 'push';
  return config.ROLE === 'all' && config.PROJECT_ID !== undefined;
}

function pushAuthProblems(config: Config): string[] {
  const missing = [!config.PUSH_AUDIENCE && 'PUSH_AUDIENCE', !config.PUSH_SERVICE_ACCOUNT && 'PUSH_SERVICE_ACCOUNT'].filter(Boolean);
  if (config.PUSH_AUTH === 'none') {
    return config.PUSH_AUDIENCE || config.PUSH_SERVICE_ACCOUNT
      ? ['PUSH_AUTH: none contradicts PUSH_AUDIENCE/PUSH_SERVICE_ACCOUNT; remove those, or set PUSH_AUTH=oidc to verify pushes']
      : [];
  }
  if (missing.length === 0) return [];
  // An audience alone would accept a token of any Google service account: both are required.
  if (takesPushes(config)) {
    return [
      `PUSH_AUTH: ROLE=${config.ROLE} takes Pub/Sub pushes, which are verified (PUSH_AUTH=oidc, the default) against both PUSH_AUDIENCE and PUSH_SERVICE_ACCOUNT (missing ${missing.join(' and ')}); set PUSH_AUTH=none explicitly only where nothing else can reach the service (emulators)`,
    ];
  }
  return missing.length === 1 ? [`${missing[0]}: required with ${missing[0] === 'PUSH_AUDIENCE' ? 'PUSH_SERVICE_ACCOUNT' : 'PUSH_AUDIENCE'} (push tokens are checked against both)`] : [];
}

/** Callbacks carry their own key: a role that sends them (worker, all) and takes the API channel needs it. */
function callbackSecretProblems(config: Config, sendsCallbacks: boolean): string[] {
  const { API_WEBHOOK_SECRET: inbound, API_CALLBACK_SECRET: callback } = config;
  if (inbound && callback && webhookKeyOf(inbound).equals(webhookKeyOf(callback))) {
    return ['API_CALLBACK_SECRET: must not be the key of API_WEBHOOK_SECRET (a callback replayed to /webhooks/api would verify)'];
  }
  if (sendsCallbacks && inbound && !callback && !generatesCallbackSecret(config)) {
    return [`API_CALLBACK_SECRET: required with API_WEBHOOK_SECRET for ROLE=${config.ROLE} (callbacks are signed with their own whsec_ key, never the inbound one)`];
  }
  return [];
}

/** The model a reply asks for when its channel names none: the provider's default (the scripted model needs none). */
export function defaultModelOf(config: Pick<Config, 'aiProvider' | 'OPENAI_MODEL' | 'VERTEX_MODEL'>): string | undefined {
  if (config.aiProvider === 'openai') return config.OPENAI_MODEL;
  if (config.aiProvider === 'vertex') return config.VERTEX_MODEL;
  return undefined;
}

/** The project Vertex AI runs in: VERTEX_PROJECT, else PROJECT_ID (the configuration check makes one present). */
export function vertexProjectOf(config: Pick<Config, 'VERTEX_PROJECT' | 'PROJECT_ID'>): string | undefined {
  return config.VERTEX_PROJECT ?? config.PROJECT_ID;
}

/** Voice notes are transcribed by the OpenAI-compatible provider when sending to WhatsApp works. */
export function transcribesVoiceNotes(config: Pick<Config, 'aiProvider' | 'WHATSAPP_ACCESS_TOKEN' | 'TRANSCRIPTION_MODEL'>): boolean {
  return config.aiProvider === 'openai' && Boolean(config.WHATSAPP_ACCESS_TOKEN) && config.TRANSCRIPTION_MODEL !== 'off';
}

/**
 * One generation runs under one lease: the coalescing wait, the voice note's transcription and
 * the model call (retries included) one after the other, plus a margin for the store writes. A
 * configuration whose budgets cannot fit would let a redelivery start a second model call while
 * the first still runs, so the worker refuses it. (A value that is itself invalid is reported on
 * its own and left out here.)
 */
function leaseBudgetProblems(env: Record<string, string>, aiProvider: AiProvider | undefined): string[] {
  const role = schema.shape.ROLE.safeParse(env.ROLE);
  if (role.success && role.data !== 'worker' && role.data !== 'all') return [];
  const valueOf = <K extends 'REPLY_LEASE_MS' | 'COALESCE_WINDOW_MS' | 'TRANSCRIPTION_TIMEOUT_MS' | 'OPENAI_TIMEOUT_MS' | 'TRANSCRIPTION_MODEL'>(name: K) => {
    const parsed = schema.shape[name].safeParse(env[name]);
    return parsed.success ? (parsed.data as z.infer<(typeof schema.shape)[K]>) : undefined;
  };
  const lease = valueOf('REPLY_LEASE_MS');
  const window = valueOf('COALESCE_WINDOW_MS');
  const transcription = valueOf('TRANSCRIPTION_TIMEOUT_MS');
  const model = valueOf('OPENAI_TIMEOUT_MS');
  const transcriptionModel = valueOf('TRANSCRIPTION_MODEL');
  if (lease === undefined || window === undefined || transcription === undefined || model === undefined || transcriptionModel === undefined) return [];
  const parts: [string, number][] = [['COALESCE_WINDOW_MS', window]];
  if (transcribesVoiceNotes({ aiProvider, WHATSAPP_ACCESS_TOKEN: env.WHATSAPP_ACCESS_TOKEN, TRANSCRIPTION_MODEL: transcriptionModel })) {
    parts.push(['TRANSCRIPTION_TIMEOUT_MS', transcription]);
  }
  if (aiProvider === 'openai' || aiProvider === 'vertex') parts.push(['OPENAI_TIMEOUT_MS', model]);
  parts.push(['margin', DEFAULT_LEASE_MARGIN_MS]);
  const total = parts.reduce((sum, [, ms]) => sum + ms, 0);
  if (total <= lease) return [];
  const sum = parts.map(([name, ms]) => `${name} ${ms}`).join(' + ');
  return [`REPLY_LEASE_MS: ${lease} ms cannot hold one reply's budgets: ${sum} = ${total} ms; raise REPLY_LEASE_MS or lower the others`];
}
