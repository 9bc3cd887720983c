import { DomainError } from '../../src/domain/model/errors.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import type { Transcriber } from '../../src/domain/ports/transcriber.js';

/** Transcribes audio by media id from a table; can be told to fail. Records what it was asked. */
export class ScriptedTranscriber implements Transcriber {
  readonly calls: string[] = [];
  private readonly transcripts = new Map<string, string>();
  private failures: { retryable: boolean }[] = [];

  say(mediaId: string, transcript: string): this {
    this.transcripts.set(mediaId, transcript);
    return this;
  }

  failNext(count: number, retryable: boolean): this {
    this.failures.push(...Array.from({ length: count }, () => ({ retryable })));
    return this;
  }

  /** Like the OpenAI transcriber: only WhatsApp audio (media comes from the Graph API), trimmed, blank is null. */
  async transcribe(message: InboundMessage): Promise<string | null> {
    if (message.channel !== 'whatsapp' || message.content.type !== 'audio') return null;
    this.calls.push(message.content.mediaId);
    const failure = this.failures.shift();
    if (failure) {
      // The reasons the OpenAI transcriber gives for a 503 and a 400.
      const reason = failure.retryable ? 'transcription_failed_503' : 'transcription_failed_400';
      throw new DomainError('transcription_failed', 'scripted transcription failure', failure.retryable, { reason });
    }
    return this.transcripts.get(message.content.mediaId)?.trim() || null;
  }
}
