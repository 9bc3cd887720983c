// Baseline: node:http doing only what a webhook must (HMAC-SHA256 over the raw bytes, constant-time
// compare, JSON.parse), then 200. No framework, no validation, no publish.
import { createServer } from 'node:http';
import { whenVerified } from './bare-hmac.js';

const server = createServer((req, res) => whenVerified(req, res, () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')));
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
