// Where the listener's time goes: the webhook's work one step at a time, each step adding to the
// one before (LISTENER_STEP): `body` reads the body with the listener's reader and answers;
// `signature` checks X-Hub-Signature-256; `json` parses it; `notification` makes domain events of
// it; `publish` publishes them to the in-process bus (a consumer that acks at once). The listener
// itself (listener-app.ts) adds the ingress (trace context, secure headers, counting) and the access line.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { InMemoryMessageBus } from '../../src/adapters/memory/in-memory-message-bus.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import { verifyWhatsAppSignature } from '../../src/adapters/whatsapp/signature.js';
import { parseWhatsAppNotification } from '../../src/adapters/whatsapp/whatsapp-notification.js';
import { AcceptWhatsAppNotification } from '../../src/domain/use-cases/accept-whatsapp-notification.js';
import { readIncomingBody } from '../../src/http/raw-body.js';
import { MAX_NOTIFICATION_BYTES } from '../../src/http/webhook-handlers.js';
import { APP_SECRET } from './notification.js';

export const LISTENER_STEPS = ['body', 'signature', 'json', 'notification', 'publish'] as const;
type Step = (typeof LISTENER_STEPS)[number];

/** Serves the steps up to `last` on a loopback port, printing `listening PORT`. */
function serveStepsUpTo(last: Step): void {
  const doing = (step: Step) => LISTENER_STEPS.indexOf(step) <= LISTENER_STEPS.indexOf(last);
  const bus = new InMemoryMessageBus();
  bus.subscribe('inbound', async () => undefined);
  const accept = new AcceptWhatsAppNotification(bus);
  const clock = new SystemClock();
  const utf8 = new TextDecoder();

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readIncomingBody(req, MAX_NOTIFICATION_BYTES))!;
    if (doing('signature') && !verifyWhatsAppSignature(raw, req.headers['x-hub-signature-256'] as string | undefined, APP_SECRET)) {
      res.writeHead(401).end();
      return;
    }
    const body: unknown = doing('json') ? JSON.parse(utf8.decode(raw)) : undefined;
    const input = doing('notification') ? parseWhatsAppNotification(body, clock.now()) : undefined;
    if (doing('publish')) await accept.execute(input!);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('EVENT_RECEIVED');
  }

  const server = createServer((req, res) => void serve(req, res).catch(() => res.destroy()));
  server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const last = process.env.LISTENER_STEP as Step;
  if (!LISTENER_STEPS.includes(last)) throw new Error(`LISTENER_STEP must be one of ${LISTENER_STEPS.join(', ')}`);
  serveStepsUpTo(last);
}
