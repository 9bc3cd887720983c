import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { InMemoryMessageBus } from '../../src/adapters/memory/in-memory-message-bus.js';
import { ScriptedCompletionModel } from '../../src/adapters/scripted/scripted-completion-model.js';
import { buildRole, type RoleRuntime } from '../../src/composition/role.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { startMetrics } from '../../src/observability/metrics.js';

export interface RunningApp {
  baseUrl: string;
  runtime: RoleRuntime;
  bus: InMemoryMessageBus;
  /** Every log line written so far, parsed. */
  logs: Record<string, unknown>[];
  /** The raw log output, for checks that nothing sensitive was logged. */
  logText(): string;
  stop(): Promise<void>;
}

/**
 * The real application of a role, built from an environment the way `server.ts` does, served over
 * real HTTP on 127.0.0.1 and a free port, logging into memory.
 */
export async function startApp(env: Record<string, string | undefined>): Promise<RunningApp> {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const config = loadConfig({ PORT: '0', ...env });
  const logger = createLogger({ level: 'info', stream, labels: { role: config.ROLE } });
  // As server.ts does: METRICS_EXPORTER in `env` starts the exporter, which the role closes on stop.
  const runtime = await buildRole(config, { logger, metrics: await startMetrics(config, logger) });
  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  runtime.readiness.ready = true;
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    runtime,
    bus: inProcessBus(runtime),
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => lines.join('\n'),
    async stop() {
      runtime.readiness.ready = false;
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.stop();
    },
  };
}

/** The in-process bus of a ROLE=all run without a project (the only bus these tests drive). */
function inProcessBus(runtime: RoleRuntime): InMemoryMessageBus {
  const bus = runtime.container.get(TOKENS.MessageBus);
  if (!(bus instanceof InMemoryMessageBus)) throw new Error(`expected the in-process bus, got ${bus.constructor.name}`);
  return bus;
}

/** The scripted model a ROLE=all run without OPENAI_API_KEY answers with (tests script its replies). */
export function scriptedModelOf(runtime: RoleRuntime): ScriptedCompletionModel {
  const model = runtime.container.get(TOKENS.CompletionModel);
  if (!(model instanceof ScriptedCompletionModel)) throw new Error(`expected the scripted model, got ${model.constructor.name}`);
  return model;
}
