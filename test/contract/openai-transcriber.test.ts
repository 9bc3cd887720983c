import { randomBytes, randomInt } from 'node:crypto';
import { OpenAiTranscriber } from '../../src/adapters/openai/openai-transcriber.js';
import { WhatsAppMediaDownloader } from '../../src/adapters/whatsapp/whatsapp-media.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { transcriberContract } from './transcriber.contract.js';

transcriberContract('OpenAiTranscriber (audio from the Graph double, speech from the OpenAI double)', async () => {
  const apiKey = `sk-test-${randomBytes(12).toString('hex')}`;
  const openai = new OpenAiDouble({ apiKey });
  const graph = new GraphApiDouble();
  await Promise.all([openai.start(), graph.start()]);
  return {
    transcriber: new OpenAiTranscriber({
      media: new WhatsAppMediaDownloader({ baseUrl: graph.baseUrl, apiVersion: 'v23.0', accessToken: graph.accessToken }),
      apiKey,
      baseURL: openai.baseUrl,
      timeoutMs: 5_000,
    }),
    requests: () => graph.requests.length + openai.requests.length,
    transcribes: true,
    aVoiceNote: (transcript) => {
      const mediaId = String(randomInt(100_000_000_000, 999_999_999_999));
      graph.addMedia(mediaId, new Uint8Array(randomBytes(2_000)), 'audio/ogg; codecs=opus');
      openai.transcribeNext(transcript);
      return mediaId;
    },
    failNextTransiently: () => openai.failNext(1, { status: 503 }),
    refuseNext: () => openai.failNext(1, { status: 400 }),
    cleanup: () => Promise.all([openai.stop(), graph.stop()]).then(() => undefined),
  };
});
