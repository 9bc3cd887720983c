// The listener as production serves it (the node:http webhook ingress ahead of the Hono app;
// signature check, schema parse, events), publishing to the in-process bus with a consumer that
// acks at once: the listener's own cost.
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { InMemoryMessageBus } from '../../src/adapters/memory/in-memory-message-bus.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import type { MessageBus } from '../../src/domain/ports/message-bus.js';
import { AcceptApiMessage } from '../../src/domain/use-cases/accept-api-message.js';
import { AcceptWhatsAppNotification } from '../../src/domain/use-cases/accept-whatsapp-notification.js';
import { createApp } from '../../src/http/create-app.js';
import { listenerRoutes } from '../../src/http/listener-routes.js';
import { webhookHandlers } from '../../src/http/webhook-handlers.js';
import { webhookIngress } from '../../src/http/webhook-ingress.js';
import { createLogger } from '../../src/observability/logger.js';
import { APP_SECRET } from './notification.js';

/** BENCH_BUS=pubsub: the Pub/Sub emulator at PUBSUB_EMULATOR_HOST (BENCH_PROJECT, BENCH_TOPIC), as a listener on Cloud Run publishes. */
async function busOf(kind: string | undefined): Promise<MessageBus> {
  if (kind === 'pubsub') {
    const { createPubSub, PubSubMessageBus } = await import('../../src/adapters/pubsub/pubsub-message-bus.js');
    const topic = process.env.BENCH_TOPIC!;
    return new PubSubMessageBus(createPubSub(process.env.BENCH_PROJECT!), { inbound: topic, interactions: topic });
  }
  const bus = new InMemoryMessageBus();
  // A consumer that acks at once, so published events do not pile up in memory during the run.
  bus.subscribe('inbound', async () => undefined);
  return bus;
}
const bus = await busOf(process.env.BENCH_BUS);
const clock = new SystemClock();
const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL === 'info' ? 'info' : 'warn', stream: new Writable({ write: (_line, _encoding, done) => done() }) });
const whatsapp = { appSecret: APP_SECRET, verifyToken: 'bench-verify-token' };
const webhooks = webhookHandlers({
  acceptWhatsApp: new AcceptWhatsAppNotification(bus),
  acceptApi: new AcceptApiMessage(bus, clock),
  whatsapp,
  apiAccountId: 'default',
  clock,
  logger,
});
const app = createApp('listener', { ready: true }, logger, [listenerRoutes(webhooks, whatsapp)]);
const server = createServer(await webhookIngress(webhooks, logger, getRequestListener(app.fetch)));
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.close(() => process.exit(0)));
