import { createServer, type RequestListener } from 'node:http';
import { getRequestListener, type ServerType } from '@hono/node-server';
import { buildRole, type RoleRuntime } from './composition/role.js';
import { StartupError } from './composition/startup-error.js';
import { SecretLoadError } from './adapters/secret-manager/secret-manager-secret-store.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { withSecrets } from './config/secrets.js';
import { serviceContextOf } from './config/service-context.js';
import { createLogger, errorFields, type Logger } from './observability/logger.js';
import { MetricsStartError, startMetrics } from './observability/metrics.js';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Database } from './adapters/postgres/database.js';

const DRAIN_MS = 8_000;

/** Loads config, builds the role, serves it, and stops gracefully on SIGTERM/SIGINT. */
export async function run(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  let config: Readonly<Config>;
  let runtime: RoleRuntime;
  let logger: Logger;
  let requestListener: RequestListener;
  try {
    config = loadConfig(await withSecrets(env));
    logger = createLogger({
      level: config.LOG_LEVEL,
      labels: { role: config.ROLE },
      serviceContext: serviceContextOf(env),
      ...(config.PROJECT_ID ? { projectId: config.PROJECT_ID } : {}),
    });
    const metrics = await startMetrics(config, logger).catch((error: unknown) => {
      throw error instanceof MetricsStartError ? new StartupError([error.message]) : error;
    });
    const database = await openRoleDatabase(config, logger);
    runtime = await buildRole(config, { logger, metrics, ...(database ? { database } : {}) });
    await runtime.prepare();
    requestListener = await runtime.requestListener(getRequestListener(runtime.app.fetch, { hostname: config.HOST }));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartupError || error instanceof SecretLoadError) {
      const problem = error instanceof SecretLoadError ? `Cannot read secrets: ${error.message}` : error.message;
      process.stderr.write(`${problem}\n`);
      // The same words as an error entry on stdout: on Cloud Run, Error Reporting and the
      // revision's logs say why it did not start. Problems name settings, never their values.
      createLogger({ level: 'error', serviceContext: serviceContextOf(env) }).error(problem);
      process.exit(1);
    }
    throw error;
  }

  const server = createServer(requestListener);
  server.listen(config.PORT, config.HOST, () => {
    const info = server.address() as AddressInfo;
    runtime.start();
    runtime.readiness.ready = true;
    const base = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${info.port}`;
    logger.info(`VocoEng ${config.ROLE} ready on ${base}`, {
      role: config.ROLE,
      port: info.port,
      adapters: runtime.adapters,
      urls: urlsOf(config, base),
    });
    for (const warning of startupWarnings(config, runtime)) logger.warn(warning);
  });
  server.on('error', (error) => {
    logger.error('server failed', errorFields(error));
    process.exit(1);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    void stop(server, runtime, logger).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', errorFields(error));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** The api role's database: PostgreSQL at DATABASE_URL, else embedded PGlite under DATA_DIR; migrated. */
async function openRoleDatabase(config: Config, logger: Logger): Promise<Database | undefined> {
  if (config.ROLE !== 'api' && config.ROLE !== 'all') return undefined;
  const location = config.DATABASE_URL ? { url: config.DATABASE_URL } : { embeddedDir: join(config.DATA_DIR, 'pglite') };
  try {
    // Imported here: MikroORM and PGlite are loaded only by the roles that have a database.
    const { openDatabase } = await import('./adapters/postgres/database.js');
    return await openDatabase(location, { log: (message) => logger.info(message) });
  } catch (error) {
    const setting = config.DATABASE_URL ? 'DATABASE_URL' : 'DATA_DIR';
    throw new StartupError([`${setting}: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

/** Stops taking requests, waits for in-flight work up to 8 s, then closes the role's clients. */
async function stop(server: ServerType, runtime: RoleRuntime, logger: Logger): Promise<void> {
  const deadline = Date.now() + DRAIN_MS;
  runtime.readiness.ready = false;
  runtime.readiness.draining?.abort();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if ('closeIdleConnections' in server) server.closeIdleConnections();
  const requestsDone = await Promise.race([closed.then(() => true), delay(DRAIN_MS).then(() => false)]);
  // The role's own work (in-process deliveries, publishes) gets what is left of the window.
  const workDone = await Promise.race([runtime.stop().then(() => true), delay(Math.max(0, deadline - Date.now())).then(() => false)]);
  if (!requestsDone || !workDone) logger.warn('in-flight work did not finish within the drain window', { requestsDone, workDone });
  logger.info('stopped');
}

/** Choices that are legitimate but worth a loud line in the log. */
function startupWarnings(config: Config, runtime: RoleRuntime): string[] {
  const warnings: string[] = [];
  if (config.FAULT_CRASH_AT) warnings.push(`FAULT_CRASH_AT=${config.FAULT_CRASH_AT}: this process kills itself on purpose (crash tests only)`);
  const servesPushRoutes = config.ROLE === 'api' || config.ROLE === 'all' || (config.ROLE === 'worker' && config.WORKER_MODE === 'push');
  if (servesPushRoutes && runtime.adapters.pushAuth === 'AllowAllPushAuthenticator') {
    warnings.push('PUSH_AUTH=none: the Pub/Sub push endpoints accept unauthenticated requests; only for emulators or a service nothing untrusted can reach');
  }
  const listens = config.ROLE === 'listener' || config.ROLE === 'all';
  if (listens && !config.WHATSAPP_APP_SECRET) warnings.push('the WhatsApp webhook answers 503: set WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN to enable it');
  if (listens && !config.API_WEBHOOK_SECRET) warnings.push('the API-channel webhook answers 503: set API_WEBHOOK_SECRET (whsec_…) to enable it');
  if (config.callbackSecretGenerated) {
    warnings.push('API_CALLBACK_SECRET is not set: callbacks are signed with a key generated for this run (not shown), which no receiver can verify; set API_CALLBACK_SECRET (whsec_…, not the API_WEBHOOK_SECRET key)');
  }
  if ((config.ROLE === 'api' || config.ROLE === 'all') && !config.BOOTSTRAP_API_KEY) {
    warnings.push('no API key is configured, so every /api/v1 request answers 401: set BOOTSTRAP_API_KEY');
  }
  if (config.ROLE === 'api' && !config.DATABASE_URL) {
    warnings.push(`analytics are stored in embedded PGlite under ${config.DATA_DIR}: on Cloud Run that disk is lost with the instance; set DATABASE_URL`);
  }
  return warnings;
}

function urlsOf(config: Config, base: string): Record<string, string> {
  const urls: Record<string, string> = { health: `${base}/healthz` };
  if (config.METRICS_EXPORTER === 'prometheus') urls.metrics = `${base.replace(/:\d+$/, '')}:${config.METRICS_PORT}/metrics`;
  if (config.ROLE === 'listener' || config.ROLE === 'all') {
    urls.whatsappWebhook = `${base}/webhooks/whatsapp`;
    urls.apiWebhook = `${base}/webhooks/api`;
  }
  if (config.ROLE === 'worker' || config.ROLE === 'all') urls.pubsubPush = `${base}/pubsub/push`;
  if (config.ROLE === 'api' || config.ROLE === 'all') {
    urls.analytics = `${base}/api/v1/analytics/summary`;
    urls.apiDocs = `${base}/docs`;
    urls.admin = `${base}/admin`;
  }
  return urls;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
