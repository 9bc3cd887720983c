// A stand-in for the WhatsApp Graph API on http://127.0.0.1:8090 for trying VocoEng by hand
// (README walk-through): accepts sends made with WHATSAPP_ACCESS_TOKEN and prints each request.
// GRAPH_DOUBLE_DROP_RATE=0.5 makes it accept half of the requests and then close the connection
// without answering (a lost answer: VocoEng records the reply as send-unknown and never resends it).
import { GraphApiDouble } from '../test/support/graph-api-double.js';

const port = Number(process.env.GRAPH_DOUBLE_PORT ?? 8090);
const double = new GraphApiDouble({ accessToken: process.env.WHATSAPP_ACCESS_TOKEN ?? 'local-access-token' });
const dropRate = Number(process.env.GRAPH_DOUBLE_DROP_RATE ?? 0);
if (!(dropRate >= 0 && dropRate <= 1)) {
  process.stderr.write(`GRAPH_DOUBLE_DROP_RATE must be a number 0–1 (got "${process.env.GRAPH_DOUBLE_DROP_RATE}")\n`);
  process.exit(2);
}
double.faults.dropRate(dropRate);
const { baseUrl } = await double.start(port);
process.stdout.write(`Graph API stand-in on ${baseUrl} (token "${double.accessToken}"); Ctrl-C to stop.\n`);
process.on('SIGINT', () => void double.stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void double.stop().then(() => process.exit(0)));

for (let seen = 1; ; seen++) {
  const requests = await double.waitForRequests(seen, 2 ** 31 - 1);
  const request = requests[seen - 1]!;
  process.stdout.write(`\n${request.method} ${request.path} → ${JSON.stringify(request.outcome)}${request.dropped ? ' (connection closed, no answer)' : ''}\n${JSON.stringify(request.body, null, 2)}\n`);
}
