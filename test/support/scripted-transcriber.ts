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

  async transcribe(message: InboundMessage): Promise<string | null> {
    if (message.content.type !== 'audio') return null;
    this.calls.push(message.content.mediaId);
    const failure = this.failures.shift();
    if (failure) throw new DomainError('transcription_failed', 'scripted transcription failure', failure.retryable, { reason: 'transcription_failed_503' });
    return this.transcripts.get(message.content.mediaId) ?? null;
  }
}
