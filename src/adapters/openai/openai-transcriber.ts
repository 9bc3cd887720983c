import { createOpenAiClient } from './openai-client.js';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, toFile, type ClientOptions } from 'openai';
import { DomainError } from '../../domain/model/errors.js';
import type { TranscriptionFailureReason } from '../../domain/model/reasons.js';
import type { InboundMessage } from '../../domain/model/message.js';
import type { Transcriber } from '../../domain/ports/transcriber.js';
import type { WhatsAppMediaDownloader } from '../whatsapp/whatsapp-media.js';

export interface OpenAiTranscriberOptions {
  /** Fetches the voice note from WhatsApp (a `WhatsAppMediaDownloader`). */
  media: Pick<WhatsAppMediaDownloader, 'download'>;
  /** Absent for a keyless OpenAI-compatible server: then no `Authorization` header is sent. */
  apiKey?: string;
  /** Any OpenAI-compatible server; OpenAI's API when absent. */
  baseURL?: string;
  /** Default `whisper-1` (OpenAI's, and the name most compatible servers answer to). */
  model?: string;
  /** The download and the transcription request together (default 30 s); the caller's `timeoutMs` may cut it shorter. */
  timeoutMs?: number;
  fetch?: ClientOptions['fetch'];
}

/** Transcription failed; `reason` is the stable reason (`transcription_failed_<status>`, `transcription_unavailable`, …). */
export class TranscriptionError extends DomainError {
  constructor(message: string, retryable: boolean, options: { cause?: unknown; reason: TranscriptionFailureReason }) {
    super('transcription_failed', message, retryable, options);
  }
}

export const DEFAULT_TRANSCRIPTION_MODEL = 'whisper-1';

/**
 * Voice notes to text: the audio is downloaded from WhatsApp, then uploaded to
 * `POST {base}/audio/transcriptions` (multipart). Only WhatsApp audio with a media id is
 * transcribed; anything else is null without any request. The SDK does not retry (`maxRetries` 0):
 * a retryable error goes back to the message's redelivery, which downloads the audio afresh.
 * Transcripts are never logged nor put in errors.
 */
export class OpenAiTranscriber implements Transcriber {
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: OpenAiTranscriberOptions) {
    this.model = options.model ?? DEFAULT_TRANSCRIPTION_MODEL;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.client = createOpenAiClient({
      timeoutMs: this.timeoutMs,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async transcribe(message: InboundMessage, options: { timeoutMs?: number } = {}): Promise<string | null> {
    const { content } = message;
    if (message.channel !== 'whatsapp' || content.type !== 'audio' || !content.mediaId) return null;
    // One deadline for the download and the upload: the caller's (what remains of its lease) or ours.
    const budgetMs = Math.max(1, Math.min(this.timeoutMs, options.timeoutMs ?? Infinity));
    const deadline = Date.now() + budgetMs;
    const signal = AbortSignal.timeout(budgetMs);
    // Media failures are already DomainErrors with `media_…` reasons: they pass through unchanged.
    const { bytes, mimeType } = await this.options.media.download(content.mediaId, signal);
    const type = baseType(mimeType) ?? baseType(content.mimeType) ?? 'audio/ogg';
    let text: string;
    try {
      const file = await toFile(bytes, `voice.${extensionFor(type)}`, { type });
      const timeout = Math.max(1, deadline - Date.now());
      const transcription = await this.client.audio.transcriptions.create({ file, model: this.model }, { timeout, signal, maxRetries: 0 });
      text = transcription.text;
    } catch (error) {
      throw classify(error, this.timeoutMs);
    }
    const trimmed = typeof text === 'string' ? text.trim() : '';
    return trimmed ? trimmed : null;
  }
}

function classify(error: unknown, timeoutMs: number): TranscriptionError {
  // The deadline's signal ends the upload as a user abort: a timeout all the same.
  if (error instanceof APIConnectionTimeoutError || error instanceof APIUserAbortError) {
    return new TranscriptionError(`transcription timed out after ${timeoutMs} ms`, true, { reason: 'transcription_unavailable' });
  }
  if (error instanceof APIConnectionError) {
    return new TranscriptionError('transcription server unreachable', true, { reason: 'transcription_unavailable' });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const { status } = error;
    const retryable = status === 408 || status === 429 || status >= 500;
    // Vendor `type`/`code` are short identifiers; the free-text message is never kept.
    return new TranscriptionError(`transcription failed: HTTP ${status}${vendorCodes(error)}`, retryable, { reason: `transcription_failed_${status}` });
  }
  return new TranscriptionError(`transcription failed: ${error instanceof Error ? error.name : 'unknown error'}`, true, { reason: 'transcription_failed' });
}

function vendorCodes(error: APIError): string {
  const safe = [error.type, error.code].filter((value): value is string => typeof value === 'string' && /^[\w.-]{1,64}$/.test(value));
  return safe.length ? ` ${safe.join('/')}` : '';
}

/** `audio/ogg; codecs=opus` → `audio/ogg`. */
function baseType(mimeType: string | undefined): string | undefined {
  const type = mimeType?.split(';')[0]?.trim().toLowerCase();
  return type && type !== 'application/octet-stream' ? type : undefined;
}

// The API infers the audio format from the file name's extension.
const EXTENSIONS: Record<string, string> = {
  'audio/ogg': 'ogg',
  'audio/opus': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mp4': 'm4a',
  'audio/m4a': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/webm': 'webm',
  'audio/flac': 'flac',
};

function extensionFor(type: string): string {
  return EXTENSIONS[type] ?? 'ogg';
}
