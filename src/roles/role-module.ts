import type { Hono } from 'hono';
import type { Database } from '../adapters/postgres/database.js';
import type { AdapterReport } from '../composition/describe-adapters.js';
import type { Providers, Wiring } from '../composition/wiring.js';
import type { Config } from '../config/config.js';
import type { CertificateSource } from '../http/auth/push-oidc.js';
import type { WebhookHandlers } from '../http/webhook-handlers.js';
import type { Logger } from '../observability/logger.js';

/** What a role module is built from, besides the configuration. */
export interface RoleInputs {
  logger: Logger;
  /** The opened database of the api role; without it analytics and API keys stay in memory. */
  database?: Database;
  /** Google's OIDC signing keys are fetched from Google unless given here (tests sign with a local key). */
  pushCertificates?: CertificateSource;
}

/** What a role adds to the process once the wiring is built. */
export interface RolePart {
  /** Its HTTP route groups, mounted in this order. */
  groups: Hono[];
  /** The webhook POSTs, served ahead of the route groups on node:http (the listener's hot path). */
  webhooks?: WebhookHandlers;
  /** Reported beside the adapters in the start-up log line. */
  adapters?: AdapterReport;
  /** One-time work before serving. */
  prepare?(): Promise<void>;
  /** Starts background work (pull consumers, sweeps); HTTP is served by the caller. */
  start?(): void;
  /** Stops that background work, letting what is in flight finish. */
  stop?(): Promise<void>;
}

/** A role: the bindings it uses (beyond config, logger, metrics, clock and bus) and how it attaches. */
export interface RoleModule {
  providers: Providers;
  attach(wiring: Wiring, draining: AbortSignal): RolePart;
}

/** Each `src/roles/<role>.ts` exports one, loaded with `import()` by the role index. */
export type ComposeRole = (config: Config, inputs: RoleInputs) => Promise<RoleModule>;

/** The account id API-channel messages are filed under. */
export const API_ACCOUNT_ID = 'default';
