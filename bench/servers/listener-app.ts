// The listener as production builds it (Hono, signature check, schema parse, events), publishing to
// the in-process bus with no consumer: the listener's own cost.
import { PassThrough } from 'node:stream';
import { serve } from '@hono/node-server';
import { InMemoryMessageBus } from '../../src/adapters/memory/in-memory-message-bus.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import { AcceptApiMessage } from '../../src/domain/use-cases/accept-api-message.js';
import { AcceptWhatsAppNotification } from '../../src/domain/use-cases/accept-whatsapp-notification.js';
import { createApp } from '../../src/http/create-app.js';
import { listenerRoutes } from '../../src/http/listener-routes.js';
import { createLogger } from '../../src/observability/logger.js';
import { APP_SECRET } from './notification.js';

const bus = new InMemoryMessageBus();
// A consumer that acks at once, so published events do not pile up in memory during the run.
bus.subscribe('inbound', async () => undefined);
const clock = new SystemClock();
const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL === 'info' ? 'info' : 'warn', stream: new PassThrough() });
const app = createApp('listener', { ready: true }, logger, [
  listenerRoutes({
    acceptWhatsApp: new AcceptWhatsAppNotification(bus),
    acceptApi: new AcceptApiMessage(bus, clock),
    whatsapp: { appSecret: APP_SECRET, verifyToken: 'bench-verify-token' },
    apiAccountId: 'default',
    clock,
    logger,
  }),
]);
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`listening ${info.port}`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.close(() => process.exit(0)));
