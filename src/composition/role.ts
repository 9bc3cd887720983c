import type { RequestListener } from 'node:http';
import type { Hono } from 'hono';
import { SystemClock } from '../adapters/system/system-clock.js';
import type { Config, Role } from '../config/config.js';
import { createApp } from '../http/create-app.js';
import type { Readiness } from '../http/health.js';
import { webhookIngress } from '../http/webhook-ingress.js';
import { NO_METRICS, type Metrics } from '../observability/metrics.js';
import type { ComposeRole, RoleInputs } from '../roles/role-module.js';
import { crashPlanOf, withCrashPoints } from './crash-points.js';
import { describeAdapters, type AdapterReport } from './describe-adapters.js';
import { messageBusProviders } from './message-bus.js';
import { TOKENS, type Overrides } from './tokens.js';
import { value, wire, withOverrides, type Providers, type Wiring } from './wiring.js';

// The role index: which module each ROLE loads, and the life cycle every role shares. Each role
// module (src/roles/<role>.ts) binds only what that role uses and is loaded with import(), so a
// process never loads the code, SDKs or drivers of a role it does not run.
const ROLE_MODULES: Record<Role, () => Promise<{ composeRole: ComposeRole }>> = {
  listener: () => import('../roles/listener.js'),
  worker: () => import('../roles/worker.js'),
  api: () => import('../roles/api.js'),
  all: () => import('../roles/all.js'),
};

export { API_ACCOUNT_ID } from '../roles/role-module.js';

export interface RoleOptions extends RoleInputs {
  /** Instances to use instead of the configured ones (tests swap in fakes here), typed per token. */
  overrides?: Overrides;
  /** The started exporter (`startMetrics`); without it nothing is recorded. The role closes it on stop. */
  metrics?: Metrics;
}

export interface RoleRuntime {
  role: Role;
  app: Hono;
  /** What node:http serves: the webhook ingress of a listening role ahead of `fallback` (the app's listener). */
  requestListener(fallback: RequestListener): Promise<RequestListener>;
  readiness: Readiness;
  adapters: AdapterReport;
  /** The role's bindings, typed by the registry (tests read the stores through it). */
  container: Wiring;
  /** One-time work before serving: the first admin user from ADMIN_EMAIL/ADMIN_PASSWORD. */
  prepare(): Promise<void>;
  /** Starts background consumers (pull mode) and sweeps; HTTP is served by the caller. */
  start(): void;
  /** Stops taking work, lets in-flight work finish, closes clients. */
  stop(): Promise<void>;
}

/** Builds the HTTP app and background work of the configured role. */
export async function buildRole(config: Config, options: RoleOptions): Promise<RoleRuntime> {
  const role = await (await ROLE_MODULES[config.ROLE]()).composeRole(config, options);
  const shared: Providers = {
    [TOKENS.Config]: value(config),
    [TOKENS.Logger]: value(options.logger),
    [TOKENS.Metrics]: value(options.metrics ?? NO_METRICS),
    [TOKENS.Clock]: () => new SystemClock(),
    ...(await messageBusProviders(config, options.logger, options.database)),
  };
  const providers = withOverrides({ ...shared, ...role.providers }, options.overrides);
  const wiring = wire(config.FAULT_CRASH_AT ? withCrashPoints(providers, crashPlanOf(config.FAULT_CRASH_AT)) : providers);
  const draining = new AbortController();
  const readiness: Readiness = { ready: false, draining };
  const part = role.attach(wiring, draining.signal);

  return {
    role: config.ROLE,
    app: createApp(config.ROLE, readiness, options.logger, part.groups),
    requestListener: async (fallback) => (part.webhooks ? webhookIngress(part.webhooks, options.logger, fallback) : fallback),
    readiness,
    adapters: { ...describeAdapters(wiring), ...part.adapters },
    container: wiring,
    prepare: async () => part.prepare?.(),
    start: () => part.start?.(),
    async stop() {
      readiness.ready = false;
      draining.abort();
      // In-flight deliveries first, then the clients they use.
      await part.stop?.();
      await closeIfPossible(wiring.get(TOKENS.MessageBus));
      if (wiring.has(TOKENS.ChatStore)) await closeIfPossible(wiring.get(TOKENS.ChatStore));
      if (wiring.has(TOKENS.Database)) await wiring.get(TOKENS.Database).close();
      // Last: the final export counts what the drained work recorded.
      await wiring.get(TOKENS.Metrics).close();
    },
  };
}

async function closeIfPossible(client: unknown): Promise<void> {
  if (typeof (client as { close?: unknown }).close === 'function') await (client as { close(): Promise<void> }).close();
}
