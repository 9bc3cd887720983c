// Baseline for the embedded path: ROLE=all started as src/server.ts starts it (config from the
// environment, the info-level JSON log on stdout, analytics in PGlite under DATA_DIR, the same
// ready line), but with the chat store and the bus held in memory as overrides: what `npm start`
// ran on before the durable adapters. A bench script only, never a product setting. The bus gets
// the in-process options of composition/message-bus.ts; its nack/dead-letter hooks are left out
// (nothing is nacked in a benchmark).
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { InMemoryChatStore } from '../../src/adapters/memory/in-memory-chat-store.js';
import { InMemoryMessageBus } from '../../src/adapters/memory/in-memory-message-bus.js';
import { openDatabase } from '../../src/adapters/postgres/database.js';
import { buildRole } from '../../src/composition/role.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.LOG_LEVEL, labels: { role: config.ROLE } });
const database = await openDatabase({ embeddedDir: join(config.DATA_DIR, 'pglite') }, { log: (message) => logger.info(message) });
const runtime = await buildRole(config, {
  logger,
  database,
  overrides: {
    [TOKENS.ChatStore]: new InMemoryChatStore(),
    [TOKENS.MessageBus]: new InMemoryMessageBus({ redeliveryDelayMs: 1_000, maxRedeliveryDelayMs: 10_000, maxDeliveryAttempts: 10 }),
  },
});
await runtime.prepare();
const server = serve({ fetch: runtime.app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  runtime.start();
  runtime.readiness.ready = true;
  logger.info(`VocoEng ${config.ROLE} ready on http://${config.HOST}:${info.port}`, { role: config.ROLE, port: info.port, adapters: runtime.adapters });
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => server.close(() => void runtime.stop().then(() => process.exit(0))));
}
