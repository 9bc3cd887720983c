import { UnconfiguredReplyChannel } from '../../src/adapters/unconfigured/unconfigured-reply-channel.js';
import { SEND_OUTCOME_UNKNOWN } from '../../src/domain/ports/reply-channel.js';
import { aMessage } from '../support/builders.js';
import { RecordingReplyChannel } from '../support/recording-reply-channel.js';
import { replyChannelContract, unconfiguredReplyChannelContract } from './reply-channel.contract.js';

// The fake component and unit tests send through, scripted with the reasons the Graph adapter gives.
replyChannelContract(
  'RecordingReplyChannel',
  async () => {
    const fake = new RecordingReplyChannel();
    return {
      channel: fake,
      aMessage: () => aMessage(),
      received: () => fake.attempts.map((reply) => reply.text),
      refuseNext: () => fake.failNext(1, false, 'whatsapp_error_131026'),
      failNextTransiently: () => fake.failNext(1, true, 'whatsapp_unavailable_131000'),
      loseNextAnswer: () => fake.failNext(1, false, SEND_OUTCOME_UNKNOWN),
      unreachableNext: () => void fake.failNext(1, true, 'whatsapp_unreachable'),
      templates: { refuseNext: () => fake.failNextTemplates(1, false, 'whatsapp_error_132001') },
      cleanup: async () => undefined,
    };
  },
  {
    unconfigured: async () => {
      const fake = new RecordingReplyChannel().answerUnsent('no_callback_url');
      return { channel: fake, message: aMessage(), received: () => fake.sent.map(({ reply }) => reply.text) };
    },
  },
);

unconfiguredReplyChannelContract('UnconfiguredReplyChannel', async () => ({
  channel: new UnconfiguredReplyChannel('whatsapp_sending_not_configured'),
  message: aMessage(),
  received: () => [],
}));
