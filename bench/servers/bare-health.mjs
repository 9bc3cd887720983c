// Baseline for cold start: the smallest node:http server answering /healthz.
import { createServer } from 'node:http';

createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')).listen(Number(process.env.PORT), '127.0.0.1');
