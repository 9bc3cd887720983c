import { randomInt } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WhatsAppGraphReplyChannel } from '../../../src/adapters/whatsapp/whatsapp-reply-channel.js';
import { createLogger } from '../../../src/observability/logger.js';
import { aMessage } from '../../support/builders.js';
import { GraphApiDouble } from '../../support/graph-api-double.js';
import { sendError } from '../../support/send-error.js';

// Which failures of a Graph send may be retried: only those that provably happened before the
// request left. Anything later may have been accepted by Meta, and a second send would be a duplicate.

const doubles: GraphApiDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((double) => double.stop()));
});

async function aDouble(): Promise<GraphApiDouble> {
  const double = new GraphApiDouble();
  doubles.push(double);
  await double.start();
  return double;
}

const channelFor = (double: GraphApiDouble) =>
  new WhatsAppGraphReplyChannel({
    baseUrl: double.baseUrl,
    apiVersion: 'v23.0',
    accessToken: double.accessToken,
    logger: createLogger({ level: 'error', stream: new PassThrough() }),
  });

const aWhatsAppMessage = () => aMessage({ accountId: String(randomInt(100_000_000_000, 999_999_999_999)), text: 'Is the shop open?' });

describe('WhatsAppGraphReplyChannel send outcomes', () => {
  it('rejects with the non-retryable reason send-outcome-unknown when Graph accepts the send and closes the connection without answering', async () => {
    const double = await aDouble();
    double.dropNext(1);

    const error = await sendError(channelFor(double).send({ inReplyTo: aWhatsAppMessage(), text: 'Yes, until 18 h.', part: 0 }));

    expect(error).toMatchObject({ retryable: false, reason: 'send_outcome_unknown' });
    expect(double.sends).toHaveLength(1);
    expect(double.sends[0]).toMatchObject({ outcome: { kind: 'accepted' }, dropped: true });
  });

  it('rejects with the non-retryable reason send-outcome-unknown when the connection is reset after the request was read', async () => {
    const double = await aDouble();
    double.faults.resetNext(1);

    const error = await sendError(channelFor(double).send({ inReplyTo: aWhatsAppMessage(), text: 'Yes, until 18 h.', part: 0 }));

    expect(error).toMatchObject({ retryable: false, reason: 'send_outcome_unknown' });
    expect(double.sends.map((send) => send.outcome.kind)).toEqual(['reset']);
  });

  it('sends normally on the next call after a dropped one (the drop is scripted once)', async () => {
    const double = await aDouble();
    double.dropNext(1);
    const channel = channelFor(double);

    await sendError(channel.send({ inReplyTo: aWhatsAppMessage(), text: 'first', part: 0 }));
    const result = await channel.send({ inReplyTo: aWhatsAppMessage(), text: 'second', part: 0 });

    expect(result).toEqual({ kind: 'sent', outboundIds: [double.acceptedIds[1]] });
    expect(double.acceptedIds).toHaveLength(2);
  });
});
