import { randomInt, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/model/errors.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import type { Transcriber } from '../../src/domain/ports/transcriber.js';
import { aMessage } from '../support/builders.js';

/**
 * A transcriber plus the test-side controls of what is behind it (the Graph double holding the
 * audio and the OpenAI double transcribing it, or the fake's table). `transcribes: false` is a
 * transcriber that is deliberately off: every message is null, and nothing can fail.
 */
export type TranscriberUnderTest = {
  transcriber: Transcriber;
  /** What the other side was asked so far (media lookups, uploads, or the fake's calls): nothing, for null answers. */
  requests(): number;
  cleanup?: () => Promise<void>;
} & (
  | {
      transcribes: true;
      /** Registers a voice note whose audio says `transcript`; returns its media id. */
      aVoiceNote(transcript: string): string;
      /** The speech service fails the next call for now (503). */
      failNextTransiently(): void;
      /** The speech service refuses the next call (400). */
      refuseNext(): void;
    }
  | { transcribes: false }
);

const voiceNote = (mediaId: string, overrides: Partial<InboundMessage> = {}): InboundMessage =>
  aMessage({ content: { type: 'audio', voice: true, mediaId, mimeType: 'audio/ogg; codecs=opus' }, ...overrides });

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a DomainError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(DomainError);
  return outcome.error as DomainError;
}

/**
 * The shared cases every Transcriber implementation must pass: a WhatsApp voice note becomes its
 * trimmed transcript; anything it cannot transcribe is null without a request; failures are
 * `DomainError`s whose `retryable` says whether trying again can help.
 */
export function transcriberContract(name: string, make: () => Promise<TranscriberUnderTest>): void {
  describe(name, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    async function aTranscriber(): Promise<TranscriberUnderTest> {
      const harness = await make();
      if (harness.cleanup) cleanups.push(harness.cleanup);
      return harness;
    }

    it('returns the trimmed transcript of a WhatsApp voice note, or null when transcription is off', async () => {
      const h = await aTranscriber();
      const mediaId = h.transcribes ? h.aVoiceNote('  Do you deliver on Sundays?  \n') : String(randomInt(1e11, 1e12));

      const text = await h.transcriber.transcribe(voiceNote(mediaId));

      expect(text).toBe(h.transcribes ? 'Do you deliver on Sundays?' : null);
    });

    it('returns null when the voice note says nothing but blanks', async () => {
      const h = await aTranscriber();
      const mediaId = h.transcribes ? h.aVoiceNote(' \n\t ') : String(randomInt(1e11, 1e12));

      expect(await h.transcriber.transcribe(voiceNote(mediaId))).toBeNull();
    });

    it('returns null without asking anyone when the message is text', async () => {
      const h = await aTranscriber();

      expect(await h.transcriber.transcribe(aMessage({ text: 'Hello' }))).toBeNull();
      expect(h.requests()).toBe(0);
    });

    it('returns null without asking anyone when the audio comes from a channel without media downloads', async () => {
      const h = await aTranscriber();
      const mediaId = h.transcribes ? h.aVoiceNote('never heard') : String(randomInt(1e11, 1e12));

      const text = await h.transcriber.transcribe(voiceNote(mediaId, { channel: 'api', id: `msg_${randomUUID()}` }));

      expect(text).toBeNull();
      expect(h.requests()).toBe(0);
    });

    it('rejects a retryable DomainError when the speech service fails for now, unless transcription is off', async () => {
      const h = await aTranscriber();
      if (!h.transcribes) {
        expect(await h.transcriber.transcribe(voiceNote(String(randomInt(1e11, 1e12))))).toBeNull();
        return;
      }
      const mediaId = h.aVoiceNote('unheard');
      h.failNextTransiently();

      expect((await domainError(h.transcriber.transcribe(voiceNote(mediaId)))).retryable).toBe(true);
    });

    it('rejects a non-retryable DomainError when the speech service refuses the audio, unless transcription is off', async () => {
      const h = await aTranscriber();
      if (!h.transcribes) {
        expect(await h.transcriber.transcribe(voiceNote(String(randomInt(1e11, 1e12))))).toBeNull();
        return;
      }
      const mediaId = h.aVoiceNote('unheard');
      h.refuseNext();

      expect((await domainError(h.transcriber.transcribe(voiceNote(mediaId)))).retryable).toBe(false);
    });
  });
}
