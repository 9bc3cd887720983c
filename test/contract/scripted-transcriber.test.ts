import { randomInt } from 'node:crypto';
import { DisabledTranscriber } from '../../src/adapters/unconfigured/disabled-transcriber.js';
import { ScriptedTranscriber } from '../support/scripted-transcriber.js';
import { transcriberContract } from './transcriber.contract.js';

// The fake the reply tests transcribe voice notes with.
transcriberContract('ScriptedTranscriber', async () => {
  const fake = new ScriptedTranscriber();
  return {
    transcriber: fake,
    requests: () => fake.calls.length,
    transcribes: true,
    aVoiceNote: (transcript) => {
      const mediaId = String(randomInt(100_000_000_000, 999_999_999_999));
      fake.say(mediaId, transcript);
      return mediaId;
    },
    failNextTransiently: () => fake.failNext(1, true),
    refuseNext: () => fake.failNext(1, false),
  };
});

// What runs when no speech-to-text is configured.
transcriberContract('DisabledTranscriber', async () => ({ transcriber: new DisabledTranscriber(), requests: () => 0, transcribes: false }));
