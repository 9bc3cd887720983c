import type { Transcriber } from '../../domain/ports/transcriber.js';

/** No speech-to-text configured: voice notes get the media reply. */
export class DisabledTranscriber implements Transcriber {
  async transcribe(): Promise<null> {
    return null;
  }
}
