import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APP_SECRET } from './notification.js';

/**
 * What a bare webhook must do: read the body, check the HMAC-SHA256 over the raw bytes in constant
 * time (401 when wrong), JSON.parse it, then hand both to `then`. No framework, no validation.
 */
export function whenVerified(req: IncomingMessage, res: ServerResponse, then: (raw: Buffer, parsed: unknown) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const expected = Buffer.from(`sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`);
    const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    then(raw, JSON.parse(raw.toString('utf8')));
  });
}
