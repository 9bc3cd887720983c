import { describe, expect, it } from 'vitest';
import { replyHarness } from '../../support/reply-harness.js';

const voiceNote = (mediaId: string) => ({ type: 'audio' as const, voice: true, mediaId, mimeType: 'audio/ogg; codecs=opus' });

describe('ReplyToMessage (voice notes)', () => {
  it('transcribes a voice note, answers the transcript and stores it with the message', async () => {
    const h = replyHarness();
    h.transcriber.say('media-1', 'Do you deliver on Sundays?');
    const message = h.message({ content: voiceNote('media-1') });

    await h.useCase.execute(message);

    expect(h.model.requests.at(-1)!.turns.at(-1)).toEqual({ role: 'user', content: '[voice note] Do you deliver on Sundays?' });
    expect(await h.stored(message)).toMatchObject({ state: 'sent', transcript: 'Do you deliver on Sundays?', reply: { kind: 'ai' } });
  });

  it('gives the model an earlier voice note as its transcript in the history', async () => {
    const h = replyHarness();
    h.transcriber.say('media-2', 'My name is Ada.');
    const voice = h.message({ content: voiceNote('media-2') });
    await h.useCase.execute(voice);
    h.clock.advance(5_000);

    await h.useCase.execute(h.message({ participant: voice.participant, accountId: voice.accountId, text: 'What is my name?' }));

    expect(h.model.requests.at(-1)!.turns[0]).toEqual({ role: 'user', content: '[voice note] My name is Ada.' });
  });

  it('sends the media reply without a model call when the voice note cannot be transcribed', async () => {
    const h = replyHarness();
    const message = h.message({ content: voiceNote('unknown-media') });

    await h.useCase.execute(message);

    expect(h.model.calls).toBe(0);
    expect(await h.stored(message)).toMatchObject({ state: 'sent', reply: { kind: 'media', text: h.policy.mediaReplyText } });
  });

  it('retries a retryable transcription failure, and falls back to the media reply on a permanent one', async () => {
    const h = replyHarness();
    h.transcriber.say('media-3', 'Hello?').failNext(1, true);
    const retried = h.message({ content: voiceNote('media-3') });

    await expect(h.useCase.execute(retried)).rejects.toMatchObject({ retryable: true });
    await h.useCase.execute(retried);
    expect(await h.stored(retried)).toMatchObject({ state: 'sent', transcript: 'Hello?' });

    h.transcriber.failNext(1, false);
    const permanent = h.message({ content: voiceNote('media-3') });
    await h.useCase.execute(permanent);
    expect(await h.stored(permanent)).toMatchObject({ state: 'sent', reply: { kind: 'media' } });
  });
});
