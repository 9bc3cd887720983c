// Baseline with a durable publish: node:http doing what a webhook must (HMAC over the raw bytes,
// constant-time compare, JSON.parse), then awaiting Pub/Sub's publish of the body (the listener's
// publish options: ordered, batches of up to 100 or 5 ms) before the 200. No framework, no
// validation. Needs PUBSUB_EMULATOR_HOST, BENCH_PROJECT and BENCH_TOPIC.
import { createServer } from 'node:http';
import { createPubSub, PUBLISH_OPTIONS } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { whenVerified } from './bare-hmac.js';

const topic = createPubSub(process.env.BENCH_PROJECT!).topic(process.env.BENCH_TOPIC!, PUBLISH_OPTIONS);

const server = createServer((req, res) =>
  whenVerified(req, res, (raw, parsed) => {
    topic.publishMessage({ data: raw, orderingKey: (parsed as { entry: { id: string }[] }).entry[0]!.id }).then(
      () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'),
      () => res.writeHead(503).end(),
    );
  }),
);
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
