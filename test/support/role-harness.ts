import { sensitive } from './log-sink.js';
import type { Database } from '../../src/adapters/postgres/database.js';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../src/config/config.js';
import { buildRole, type RoleRuntime } from '../../src/composition/role.js';
import { TOKENS, type Overrides } from '../../src/composition/tokens.js';
import { createLogger } from '../../src/observability/logger.js';
import { FixedClock } from './fixed-clock.js';
import { RecordingMessageBus } from './recording-message-bus.js';

export const TEST_APP_SECRET = sensitive('test-app-secret-0123456789');
export const TEST_VERIFY_TOKEN = sensitive('test-verify-token-0123');
/** A valid Standard Webhooks secret (base64 of 32 bytes). */
export const TEST_API_SECRET = sensitive('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
/** The key callbacks are signed with (29 bytes, never the inbound TEST_API_SECRET). */
export const TEST_CALLBACK_SECRET = sensitive('whsec_Q2FsbGJhY2tzIGhhdmUgdGhlaXIgb3duIGtleSE=');
export const TEST_BOOTSTRAP_KEY = sensitive('bootstrap-key-0123456789abcdef');

/**
 * Every channel configured, no cloud settings: ROLE=all on the embedded adapters. PUSH_AUTH=none
 * because the tests push unsigned envelopes, as the emulator does.
 */
export const ALL_CHANNELS_ENV: Record<string, string> = {
  ROLE: 'all',
  PUSH_AUTH: 'none',
  WHATSAPP_APP_SECRET: TEST_APP_SECRET,
  WHATSAPP_VERIFY_TOKEN: TEST_VERIFY_TOKEN,
  API_WEBHOOK_SECRET: TEST_API_SECRET,
  API_CALLBACK_SECRET: TEST_CALLBACK_SECRET,
  BOOTSTRAP_API_KEY: TEST_BOOTSTRAP_KEY,
};

export interface LogEntry {
  severity: string;
  message: string;
  [field: string]: unknown;
}

export interface RoleHarnessOptions {
  /** Replaces ALL_CHANNELS_ENV entirely when given. */
  env?: Record<string, string>;
  /** Typed per token: a fake that does not fit its port does not compile. */
  overrides?: Overrides;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  ready?: boolean;
  /** An opened database: the api's analytics, keys and admin identities live there instead of in memory. */
  database?: Database;
}

/**
 * The real ROLE=all application, built in process the way `main` builds it, with the message bus
 * replaced by a recording one (so nothing is consumed in the background), a hand-moved clock and
 * every log line captured.
 */
export async function roleHarness(options: RoleHarnessOptions = {}) {
  const bus = new RecordingMessageBus();
  const clock = new FixedClock(Date.now());
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: options.logLevel ?? 'info', stream });
  const runtime: RoleRuntime = await buildRole(loadConfig(options.env ?? ALL_CHANNELS_ENV), {
    logger,
    ...(options.database ? { database: options.database } : {}),
    overrides: { [TOKENS.MessageBus]: bus, [TOKENS.Clock]: clock, ...options.overrides },
  });
  runtime.readiness.ready = options.ready ?? true;
  return {
    runtime,
    app: runtime.app,
    bus,
    clock,
    chatStore: runtime.container.get(TOKENS.ChatStore),
    /** The log lines written so far, parsed. */
    logs(): LogEntry[] {
      return lines.map((line) => JSON.parse(line) as LogEntry);
    },
  };
}

export type RoleHarness = Awaited<ReturnType<typeof roleHarness>>;
