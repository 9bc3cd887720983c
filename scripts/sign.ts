// Signs a request body the way the channels' senders do, for trying VocoEng by hand:
//   npm run --silent sign -- whatsapp body.json   → the X-Hub-Signature-256 value (uses WHATSAPP_APP_SECRET)
//   npm run --silent sign -- api body.json        → curl -H arguments for Standard Webhooks (uses API_WEBHOOK_SECRET)
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signWhatsAppBody } from '../src/adapters/whatsapp/signature.js';
import { signStandardWebhook } from '../src/adapters/webhook/standard-webhooks.js';

const [channel, file] = process.argv.slice(2);
const secretName = channel === 'whatsapp' ? 'WHATSAPP_APP_SECRET' : 'API_WEBHOOK_SECRET';
const secret = process.env[secretName];
if ((channel !== 'whatsapp' && channel !== 'api') || !file || !secret) {
  process.stderr.write(`usage: ${secretName}=… npm run --silent sign -- <whatsapp|api> <body-file>\n`);
  process.exit(2);
}
const body = readFileSync(file);
if (channel === 'whatsapp') {
  process.stdout.write(`${signWhatsAppBody(body, secret)}\n`);
} else {
  const id = `msg_${randomUUID().replaceAll('-', '')}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = signStandardWebhook(secret, id, timestamp, body);
  process.stdout.write(`-H webhook-id:${id} -H webhook-timestamp:${timestamp} -H webhook-signature:${signature}\n`);
}
