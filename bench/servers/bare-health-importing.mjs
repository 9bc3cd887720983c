// The cold-start baseline after importing packages a role cannot do without (the specifiers given
// as arguments, in order): what those imports alone add to a bare node:http start.
import { createServer } from 'node:http';

for (const specifier of process.argv.slice(2)) await import(specifier);
createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')).listen(Number(process.env.PORT), '127.0.0.1');
