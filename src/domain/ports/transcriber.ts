import type { InboundMessage } from '../model/message.js';

/** Turns a voice note into text (fetching the audio from the channel, then a speech-to-text model). */
export interface Transcriber {
  /**
   * The transcript of the message's audio, or null when this channel or message cannot be
   * transcribed (no media id, transcription disabled). Rejects with a `DomainError` whose
   * `retryable` says whether trying again can help. `timeoutMs` bounds the whole of it (the media
   * download included): what remains of the caller's lease.
   */
  transcribe(message: InboundMessage, options?: { timeoutMs?: number }): Promise<string | null>;
}
