import { randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import { RoutingReplyChannel } from '../../src/adapters/routing/routing-reply-channel.js';
import { UnconfiguredReplyChannel } from '../../src/adapters/unconfigured/unconfigured-reply-channel.js';
import { WhatsAppGraphReplyChannel } from '../../src/adapters/whatsapp/whatsapp-reply-channel.js';
import type { ReplyChannel } from '../../src/domain/ports/reply-channel.js';
import { createLogger } from '../../src/observability/logger.js';
import { aMessage } from '../support/builders.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { replyChannelContract, type ReplyChannelUnderTest } from './reply-channel.contract.js';

/** The Graph adapter against the Graph API double; `wrap` puts another channel around it (the router). */
async function graphChannel(wrap: (channel: ReplyChannel) => ReplyChannel = (channel) => channel): Promise<ReplyChannelUnderTest> {
  const double = new GraphApiDouble();
  await double.start();
  const graph = new WhatsAppGraphReplyChannel({
    baseUrl: double.baseUrl,
    apiVersion: 'v23.0',
    accessToken: double.accessToken,
    logger: createLogger({ level: 'error', stream: new Writable({ write: (_chunk, _encoding, done) => done() }) }),
    timeoutMs: 2_000,
  });
  return {
    channel: wrap(graph),
    aMessage: () => aMessage({ accountId: String(randomInt(100_000_000_000, 999_999_999_999)) }),
    received: () =>
      double.sends.flatMap((request) => {
        const body = request.body as { type?: string; text?: { body?: string } } | undefined;
        return body?.type === 'text' && typeof body.text?.body === 'string' ? [body.text.body] : [];
      }),
    refuseNext: () => double.failNext(1, { status: 400, code: 131026 }),
    failNextTransiently: () => double.failNext(1, { status: 503, code: 131000 }),
    loseNextAnswer: () => double.dropNext(1),
    unreachableNext: () => double.stop(),
    templates: { refuseNext: () => double.failNext(1, { status: 400, code: 132001 }) },
    failNextAcknowledgement: () => double.failNextReadReceipts(1, { status: 500, code: 131000 }),
    cleanup: () => double.stop(),
  };
}

replyChannelContract('WhatsAppGraphReplyChannel', () => graphChannel());

// The production channel: each message goes to the adapter of its own channel.
replyChannelContract(
  'RoutingReplyChannel (WhatsApp through the Graph adapter)',
  () => graphChannel((graph) => new RoutingReplyChannel({ whatsapp: graph, api: new UnconfiguredReplyChannel('api_channel_not_configured') })),
  {
    unconfigured: async () => ({
      channel: new RoutingReplyChannel({ whatsapp: new UnconfiguredReplyChannel('whatsapp_sending_not_configured'), api: new UnconfiguredReplyChannel('api_channel_not_configured') }),
      message: aMessage(),
      received: () => [],
    }),
  },
);
