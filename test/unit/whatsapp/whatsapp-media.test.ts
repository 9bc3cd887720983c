import { createHash, randomBytes, randomInt } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaDownloadError, WhatsAppMediaDownloader, type WhatsAppMediaOptions } from '../../../src/adapters/whatsapp/whatsapp-media.js';
import { DomainError } from '../../../src/domain/model/errors.js';
import { GraphApiDouble, type GraphFailure } from '../../support/graph-api-double.js';
import { aFreePort } from '../../support/ports.js';

const VERSION = 'v23.0';

async function downloadError(promise: Promise<unknown>): Promise<MediaDownloadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaDownloadError);
  expect(error).toBeInstanceOf(DomainError);
  return error as MediaDownloadError;
}

const aMediaId = () => String(randomInt(100_000_000_000, 999_999_999_999));
const someAudio = (size = 3_000) => new Uint8Array(randomBytes(size));

describe('WhatsAppMediaDownloader', () => {
  let double: GraphApiDouble;

  beforeEach(async () => {
    double = new GraphApiDouble();
    await double.start();
  });
  afterEach(() => double.stop());

  const downloaderFor = (overrides: Partial<WhatsAppMediaOptions> = {}) =>
    new WhatsAppMediaDownloader({ baseUrl: double.baseUrl, apiVersion: VERSION, accessToken: double.accessToken, ...overrides });

  /** Everything an error could show a log reader: none of it may carry the token or the download URL. */
  function expectNoSecrets(error: MediaDownloadError): void {
    const visible = `${error.message}\n${error.code}\n${error.reason}\n${error.stack ?? ''}\n${String(error.cause ?? '')}`;
    expect(visible).not.toContain(double.accessToken);
    expect(visible).not.toContain('media-download/');
    expect(visible).not.toContain('sig=');
    for (const request of double.mediaRequests) {
      if (request.outcome.kind === 'media-info') expect(visible).not.toContain(request.outcome.url);
    }
  }

  describe('two-step download', () => {
    it('looks the media up at /{version}/{media_id}, then GETs the URL it gave, both with the bearer token, and returns the bytes and mime type', async () => {
      const mediaId = aMediaId();
      const audio = someAudio();
      double.addMedia(mediaId, audio, 'audio/ogg; codecs=opus');

      const media = await downloaderFor().download(mediaId);

      expect(Buffer.from(media.bytes).equals(Buffer.from(audio))).toBe(true);
      expect(media.mimeType).toBe('audio/ogg; codecs=opus');
      const [lookup, download] = double.mediaRequests;
      expect(double.mediaRequests).toHaveLength(2);
      expect(lookup).toMatchObject({ kind: 'media-info', method: 'GET', path: `/${VERSION}/${mediaId}`, mediaId });
      expect(lookup!.headers.authorization).toBe(`Bearer ${double.accessToken}`);
      expect(lookup!.outcome.kind).toBe('media-info');
      const issued = new URL(lookup!.outcome.kind === 'media-info' ? lookup!.outcome.url : '');
      expect(issued.pathname).toBe(`/media-download/${mediaId}`);
      expect(download).toMatchObject({ kind: 'media-download', method: 'GET', path: `${issued.pathname}${issued.search}`, mediaId });
      expect(download!.headers.authorization).toBe(`Bearer ${double.accessToken}`);
      expect(download!.outcome).toEqual({ kind: 'media-bytes', size: audio.length });
    });

    it('records media requests apart from sends and read receipts', async () => {
      const mediaId = aMediaId();
      double.addMedia(mediaId, someAudio(), 'audio/ogg');

      await downloaderFor().download(mediaId);

      expect(double.requests).toHaveLength(2);
      expect(double.sends).toEqual([]);
      expect(double.readReceipts).toEqual([]);
    });

    it('joins the base URL without a double slash when it ends with a slash', async () => {
      const mediaId = aMediaId();
      double.addMedia(mediaId, someAudio(), 'audio/ogg');

      await downloaderFor({ baseUrl: `${double.baseUrl}/` }).download(mediaId);

      expect(double.mediaRequests[0]!.path).toBe(`/${VERSION}/${mediaId}`);
    });

    it('accepts media whose lookup announces no sha256 and no file_size', async () => {
      const mediaId = aMediaId();
      const audio = someAudio();
      double.addMedia(mediaId, audio, 'audio/mpeg', { sha256: null, fileSize: null });

      const media = await downloaderFor().download(mediaId);

      expect(media.bytes.length).toBe(audio.length);
      expect(media.mimeType).toBe('audio/mpeg');
    });

    it('accepts a base64 sha256 as well as the documented hex', async () => {
      const mediaId = aMediaId();
      const audio = someAudio();
      double.addMedia(mediaId, audio, 'audio/ogg', { sha256: createHash('sha256').update(audio).digest('base64') });

      const media = await downloaderFor().download(mediaId);

      expect(media.bytes.length).toBe(audio.length);
    });
  });

  describe('integrity and size', () => {
    it('refuses with the non-retryable media-checksum-mismatch when the bytes do not match the announced sha256', async () => {
      const mediaId = aMediaId();
      double.addMedia(mediaId, someAudio(), 'audio/ogg', { sha256: createHash('sha256').update('something else').digest('hex') });

      const error = await downloadError(downloaderFor().download(mediaId));

      expect(error).toMatchObject({ reason: 'media_checksum_mismatch', retryable: false });
      expect(double.mediaRequests).toHaveLength(2);
      expectNoSecrets(error);
    });

    it('refuses with the non-retryable media-too-large, without downloading, when the announced file_size exceeds maxBytes', async () => {
      const mediaId = aMediaId();
      double.addMedia(mediaId, someAudio(2_048), 'audio/ogg');

      const error = await downloadError(downloaderFor({ maxBytes: 1_024 }).download(mediaId));

      expect(error).toMatchObject({ reason: 'media_too_large', retryable: false });
      expect(double.mediaRequests.map((r) => r.kind)).toEqual(['media-info']);
    });

    it('refuses with media-too-large when the download is larger than maxBytes though the lookup understated it', async () => {
      const mediaId = aMediaId();
      double.addMedia(mediaId, someAudio(4_096), 'audio/ogg', { fileSize: 100 });

      const error = await downloadError(downloaderFor({ maxBytes: 1_024 }).download(mediaId));

      expect(error).toMatchObject({ reason: 'media_too_large', retryable: false });
      expect(double.mediaRequests.map((r) => r.kind)).toEqual(['media-info', 'media-download']);
    });

    it('accepts media of exactly maxBytes', async () => {
      const mediaId = aMediaId();
      double.addMedia(mediaId, someAudio(1_024), 'audio/ogg');

      const media = await downloaderFor({ maxBytes: 1_024 }).download(mediaId);

      expect(media.bytes.length).toBe(1_024);
    });
  });

  describe('Graph errors', () => {
    const cases: { failure: GraphFailure; retryable: boolean; reason: string; when: string }[] = [
      { failure: { status: 404, code: 100 }, retryable: false, reason: 'media_whatsapp_error_100', when: 'the lookup answers 404 code 100' },
      { failure: { status: 500 }, retryable: true, reason: 'media_whatsapp_http_500', when: 'the lookup answers HTTP 500 without a Graph body' },
      { failure: { status: 500, code: 131000 }, retryable: true, reason: 'media_whatsapp_unavailable_131000', when: 'the lookup answers 500 code 131000' },
      { failure: { status: 429, code: 130429 }, retryable: true, reason: 'media_whatsapp_rate_limited_130429', when: 'the lookup answers 429 code 130429' },
    ];
    for (const { failure, retryable, reason, when } of cases) {
      it(`rejects with retryable=${retryable} and reason ${reason} when ${when}`, async () => {
        const mediaId = aMediaId();
        double.addMedia(mediaId, someAudio(), 'audio/ogg').failNextMedia(1, failure);

        const error = await downloadError(downloaderFor().download(mediaId));

        expect(error).toMatchObject({ retryable, reason });
        expect(error.message).toContain(String(failure.status));
        expect(double.mediaRequests).toHaveLength(1);
        expectNoSecrets(error);
      });
    }

    it('rejects with a retryable error when the download step answers 500 after a good lookup', async () => {
      const mediaId = aMediaId();
      double.addMedia(mediaId, someAudio(), 'audio/ogg').failNextMedia(1, { status: 500 }, 'media-download');

      const error = await downloadError(downloaderFor().download(mediaId));

      expect(error).toMatchObject({ retryable: true, reason: 'media_whatsapp_http_500' });
      expect(double.mediaRequests.map((r) => r.kind)).toEqual(['media-info', 'media-download']);
      expectNoSecrets(error);
    });

    it('rejects with the non-retryable media-whatsapp-error-100 when the media id is unknown to Graph', async () => {
      const error = await downloadError(downloaderFor().download(aMediaId()));

      expect(error).toMatchObject({ retryable: false, reason: 'media_whatsapp_error_100' });
      expectNoSecrets(error);
    });

    it('rejects with the non-retryable media-whatsapp-token-expired, without the token in the error, when the token is refused', async () => {
      const mediaId = aMediaId();
      double.addMedia(mediaId, someAudio(), 'audio/ogg');
      const wrongToken = `EAAG-revoked-${randomBytes(8).toString('hex')}`;

      const error = await downloadError(downloaderFor({ accessToken: wrongToken }).download(mediaId));

      expect(error).toMatchObject({ retryable: false, reason: 'media_whatsapp_token_expired' });
      expect(`${error.message}${error.stack ?? ''}`).not.toContain(wrongToken);
      expectNoSecrets(error);
    });

    it('works again once a scripted failure is used up', async () => {
      const mediaId = aMediaId();
      double.addMedia(mediaId, someAudio(), 'audio/ogg').failNextMedia(1, { status: 500 });
      const downloader = downloaderFor();

      await downloadError(downloader.download(mediaId));
      const media = await downloader.download(mediaId);

      expect(media.mimeType).toBe('audio/ogg');
    });
  });

  describe('transport', () => {
    it('rejects with the retryable media-timeout when the download does not answer within timeoutMs', async () => {
      const mediaId = aMediaId();
      double.addMedia(mediaId, someAudio(), 'audio/ogg').hangNextMedia(1, 'media-download');

      const error = await downloadError(downloaderFor({ timeoutMs: 200 }).download(mediaId));

      expect(error).toMatchObject({ retryable: true, reason: 'media_timeout' });
      expectNoSecrets(error);
    });

    it('rejects with the retryable media-unreachable when nothing listens at the base URL', async () => {
      const port = await aFreePort();

      const error = await downloadError(downloaderFor({ baseUrl: `http://127.0.0.1:${port}` }).download(aMediaId()));

      expect(error).toMatchObject({ retryable: true, reason: 'media_unreachable' });
      expectNoSecrets(error);
    });
  });
});
