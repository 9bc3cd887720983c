import { randomBytes, randomInt } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiTranscriber, TranscriptionError, type OpenAiTranscriberOptions } from '../../../src/adapters/openai/openai-transcriber.js';
import { MediaDownloadError, WhatsAppMediaDownloader } from '../../../src/adapters/whatsapp/whatsapp-media.js';
import { DomainError } from '../../../src/domain/model/errors.js';
import type { InboundMessage } from '../../../src/domain/model/message.js';
import { aMessage } from '../../support/builders.js';
import { GraphApiDouble } from '../../support/graph-api-double.js';
import { OpenAiDouble, openAiError, type MultipartBody } from '../../support/openai-double.js';

const VERSION = 'v23.0';

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const aVoiceNote = (mediaId: string, mimeType = 'audio/ogg; codecs=opus'): InboundMessage =>
  aMessage({ content: { type: 'audio', voice: true, mediaId, mimeType } });

describe('OpenAiTranscriber', () => {
  const apiKey = `sk-test-${randomBytes(12).toString('hex')}`;
  let openai: OpenAiDouble;
  let graph: GraphApiDouble;

  beforeEach(async () => {
    openai = new OpenAiDouble({ apiKey });
    graph = new GraphApiDouble();
    await Promise.all([openai.start(), graph.start()]);
  });
  afterEach(() => Promise.all([openai.stop(), graph.stop()]));

  const transcriberFor = (overrides: Partial<OpenAiTranscriberOptions> = {}) =>
    new OpenAiTranscriber({
      media: new WhatsAppMediaDownloader({ baseUrl: graph.baseUrl, apiVersion: VERSION, accessToken: graph.accessToken }),
      apiKey,
      baseURL: openai.baseUrl,
      ...overrides,
    });

  /** Registers a voice note with the Graph double and returns its id and bytes. */
  function aRegisteredVoiceNote(mimeType = 'audio/ogg; codecs=opus', size = 4_000): { mediaId: string; audio: Uint8Array } {
    const mediaId = String(randomInt(100_000_000_000, 999_999_999_999));
    const audio = new Uint8Array(randomBytes(size));
    graph.addMedia(mediaId, audio, mimeType);
    return { mediaId, audio };
  }

  describe('a voice note', () => {
    it('downloads the audio from WhatsApp, uploads it as multipart with the model to /v1/audio/transcriptions, and returns the trimmed transcript', async () => {
      const { mediaId, audio } = aRegisteredVoiceNote();
      openai.transcribeNext('  Do you deliver on Sundays?  \n');

      const text = await transcriberFor().transcribe(aVoiceNote(mediaId));

      expect(text).toBe('Do you deliver on Sundays?');
      expect(graph.mediaRequests.map((r) => r.kind)).toEqual(['media-info', 'media-download']);
      const [upload] = openai.requests;
      expect(openai.requests).toHaveLength(1);
      expect(upload).toMatchObject({ endpoint: 'audio.transcriptions', method: 'POST', path: '/v1/audio/transcriptions' });
      expect(upload!.headers.authorization).toBe(`Bearer ${apiKey}`);
      expect(upload!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      const body = upload!.body as MultipartBody;
      expect(body.fields.model).toBe('whisper-1');
      expect(body.files).toEqual([{ name: 'file', filename: 'voice.ogg', contentType: 'audio/ogg', size: audio.length }]);
      expect(upload!.rawBody.indexOf(Buffer.from(audio))).toBeGreaterThan(-1);
    });

    it('sends the configured model', async () => {
      const { mediaId } = aRegisteredVoiceNote();

      await transcriberFor({ model: 'gpt-4o-mini-transcribe' }).transcribe(aVoiceNote(mediaId));

      expect((openai.requests[0]!.body as MultipartBody).fields.model).toBe('gpt-4o-mini-transcribe');
    });

    it('names the upload after the audio format WhatsApp reports, since the API infers the format from the extension', async () => {
      const { mediaId } = aRegisteredVoiceNote('audio/mpeg');

      await transcriberFor().transcribe(aMessage({ content: { type: 'audio', voice: false, mediaId, mimeType: 'audio/mpeg' } }));

      const [file] = (openai.requests[0]!.body as MultipartBody).files;
      expect(file).toMatchObject({ filename: 'voice.mp3', contentType: 'audio/mpeg' });
    });

    for (const empty of ['', '   \n ']) {
      it(`returns null when the transcript is ${JSON.stringify(empty)}`, async () => {
        const { mediaId } = aRegisteredVoiceNote();
        openai.transcribeNext(empty);

        expect(await transcriberFor().transcribe(aVoiceNote(mediaId))).toBeNull();
        expect(openai.requests).toHaveLength(1);
      });
    }
  });

  describe('nothing to transcribe', () => {
    const cases: { what: string; message: () => InboundMessage }[] = [
      { what: 'a text message', message: () => aMessage({ text: 'hello' }) },
      { what: 'an image', message: () => aMessage({ content: { type: 'image', mediaId: '1234567890', mimeType: 'image/jpeg' } }) },
      { what: 'audio on the API channel', message: () => aMessage({ channel: 'api', content: { type: 'audio', voice: true, mediaId: '1234567890' } }) },
      { what: 'audio without a media id', message: () => aMessage({ content: { type: 'audio', voice: true, mediaId: '' } }) },
    ];
    for (const { what, message } of cases) {
      it(`returns null without any request for ${what}`, async () => {
        expect(await transcriberFor().transcribe(message())).toBeNull();

        expect(graph.requests).toEqual([]);
        expect(openai.requests).toEqual([]);
      });
    }
  });

  describe('failures', () => {
    const cases: { status: number; retryable: boolean }[] = [
      { status: 500, retryable: true },
      { status: 503, retryable: true },
      { status: 429, retryable: true },
      { status: 400, retryable: false },
      { status: 401, retryable: false },
    ];
    for (const { status, retryable } of cases) {
      it(`rejects with retryable=${retryable} and code transcription-failed-${status} when the transcription answers ${status}, without retrying`, async () => {
        const { mediaId } = aRegisteredVoiceNote();
        openai.failNext(1, { status });

        const error = await rejection(transcriberFor().transcribe(aVoiceNote(mediaId)));

        expect(error).toBeInstanceOf(TranscriptionError);
        expect(error).toMatchObject({ retryable, reason: `transcription_failed_${status}` });
        expect(openai.requests).toHaveLength(1);
      });
    }

    it('keeps the vendor message, which may quote the audio, out of the error', async () => {
      const { mediaId } = aRegisteredVoiceNote();
      openai.failNext(1, { status: 400, body: openAiError('Audio said: my card number is 4111', 'invalid_request_error', 'invalid_audio') });

      const error = await rejection(transcriberFor().transcribe(aVoiceNote(mediaId)));

      expect(error.message).not.toContain('4111');
      expect(error.message).not.toContain(apiKey);
      expect(error.message).toContain('invalid_audio');
    });

    it('rejects with the retryable transcription-unavailable when the server drops the connection', async () => {
      const { mediaId } = aRegisteredVoiceNote();
      openai.dropNext(1);

      const error = await rejection(transcriberFor().transcribe(aVoiceNote(mediaId)));

      expect(error).toMatchObject({ retryable: true, reason: 'transcription_unavailable' });
    });

    it('rejects with the retryable transcription-unavailable when the server does not answer within timeoutMs', async () => {
      const { mediaId } = aRegisteredVoiceNote();
      openai.slowNext(1, 2_000);

      const error = await rejection(transcriberFor({ timeoutMs: 200 }).transcribe(aVoiceNote(mediaId)));

      expect(error).toMatchObject({ retryable: true, reason: 'transcription_unavailable' });
    });

    it('passes a media failure through with its media- code, without calling the transcription API', async () => {
      const { mediaId } = aRegisteredVoiceNote();
      graph.failNextMedia(1, { status: 404, code: 100 });

      const error = await rejection(transcriberFor().transcribe(aVoiceNote(mediaId)));

      expect(error).toBeInstanceOf(MediaDownloadError);
      expect(error).toMatchObject({ retryable: false, reason: 'media_whatsapp_error_100' });
      expect(openai.requests).toEqual([]);
    });
  });
});
