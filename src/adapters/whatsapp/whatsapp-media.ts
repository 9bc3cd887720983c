import { createHash } from 'node:crypto';
import { DomainError } from '../../domain/model/errors.js';
import type { MediaFailureReason } from '../../domain/model/reasons.js';
import { classifyGraphError } from './graph-errors.js';

export interface WhatsAppMediaOptions {
  baseUrl: string;
  apiVersion: string;
  accessToken: string;
  /** Per request (the lookup, then the download with its body); default 15 s. */
  timeoutMs?: number;
  /** Largest media accepted; default 16 MiB, WhatsApp's limit for audio. */
  maxBytes?: number;
  fetch?: typeof fetch;
}

export interface DownloadedMedia {
  bytes: Uint8Array;
  mimeType: string;
}

/** A media lookup or download failed; `reason` is the stable reason, always starting with `media_`. */
export class MediaDownloadError extends DomainError {
  constructor(message: string, retryable: boolean, options: { cause?: unknown; reason: MediaFailureReason }) {
    super('media_download_failed', message, retryable, options);
  }
}

export const DEFAULT_MAX_MEDIA_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;

interface MediaInfo {
  url?: unknown;
  mime_type?: unknown;
  sha256?: unknown;
  file_size?: unknown;
  error?: { code?: unknown };
}

/**
 * Fetches inbound WhatsApp media in the Cloud API's two steps: `GET /{version}/{media_id}` resolves
 * a short-lived download URL (and the type, size and SHA-256), then `GET <url>` with the same bearer
 * token returns the bytes. Size is enforced before and while reading, the checksum after. Errors
 * carry neither the token nor the URL (the URL is a capability).
 */
export class WhatsAppMediaDownloader {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: WhatsAppMediaOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES;
  }

  /** `signal` (the caller's deadline) ends the lookup and the download early, as a `media_timeout`. */
  async download(mediaId: string, signal?: AbortSignal): Promise<DownloadedMedia> {
    if (!mediaId) throw new MediaDownloadError('no media id to download', false, { reason: 'media_id_missing' });
    const info = await this.lookup(mediaId, signal);
    const { bytes, contentType } = await this.fetchBytes(info.url, signal);
    if (info.sha256 !== undefined && !checksumMatches(bytes, info.sha256)) {
      throw new MediaDownloadError('WhatsApp media checksum mismatch: the downloaded bytes are not the announced media', false, { reason: 'media_checksum_mismatch' });
    }
    return { bytes, mimeType: info.mimeType ?? contentType ?? 'application/octet-stream' };
  }

  private async lookup(mediaId: string, caller?: AbortSignal): Promise<{ url: string; mimeType: string | undefined; sha256: string | undefined }> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/${this.options.apiVersion}/${encodeURIComponent(mediaId)}`;
    const response = await this.get(url, 'lookup', this.deadline(caller));
    let info: MediaInfo | undefined;
    try {
      info = (await response.json()) as MediaInfo;
    } catch (error) {
      if (response.ok) throw new MediaDownloadError('WhatsApp media lookup answer unreadable', true, { cause: error, reason: 'media_invalid_response' });
    }
    if (!response.ok) throw graphFailure('lookup', response.status, info?.error?.code);
    if (typeof info?.url !== 'string' || !/^https?:\/\//i.test(info.url)) {
      throw new MediaDownloadError('WhatsApp media lookup answered without a download URL', false, { reason: 'media_invalid_response' });
    }
    const size = Number(info.file_size);
    if (info.file_size !== undefined && info.file_size !== null && Number.isFinite(size) && size > this.maxBytes) {
      throw tooLarge(size, this.maxBytes);
    }
    return {
      url: info.url,
      mimeType: typeof info.mime_type === 'string' && info.mime_type ? info.mime_type : undefined,
      sha256: typeof info.sha256 === 'string' && info.sha256 ? info.sha256 : undefined,
    };
  }

  private async fetchBytes(url: string, caller?: AbortSignal): Promise<{ bytes: Uint8Array; contentType: string | undefined }> {
    const deadline = this.deadline(caller);
    const response = await this.get(url, 'download', deadline);
    if (!response.ok) {
      let code: unknown;
      try {
        code = ((await response.json()) as MediaInfo | undefined)?.error?.code;
      } catch {
        // A CDN error page rather than a Graph error body.
      }
      throw graphFailure('download', response.status, code);
    }
    const announced = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(announced) && announced > this.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(announced, this.maxBytes);
    }
    return { bytes: await this.readLimited(response), contentType: response.headers.get('content-type') || undefined };
  }

  private async readLimited(response: Response): Promise<Uint8Array> {
    const reader = response.body?.getReader();
    if (!reader) return new Uint8Array(0);
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > this.maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge(total, this.maxBytes);
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof MediaDownloadError) throw error;
      throw networkFailure('download', error);
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return bytes;
  }

  /** This request's own limit, or the caller's deadline when it comes first. */
  private deadline(caller: AbortSignal | undefined): AbortSignal {
    const own = AbortSignal.timeout(this.timeoutMs);
    return caller ? AbortSignal.any([own, caller]) : own;
  }

  private async get(url: string, step: Step, signal = this.deadline(undefined)): Promise<Response> {
    try {
      return await this.fetch(url, { method: 'GET', headers: { authorization: `Bearer ${this.options.accessToken}` }, signal });
    } catch (error) {
      throw networkFailure(step, error);
    }
  }
}

type Step = 'lookup' | 'download';

function graphFailure(step: Step, status: number, rawCode: unknown): MediaDownloadError {
  const code = typeof rawCode === 'number' ? rawCode : undefined;
  const { retryable, reason } = classifyGraphError(status, code);
  return new MediaDownloadError(`WhatsApp media ${step} answered ${status} (code ${code ?? 'none'})`, retryable, { reason: `media_${reason}` });
}

// No cause is kept: nothing that could carry the URL travels with the error.
function networkFailure(step: Step, error: unknown): MediaDownloadError {
  const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
  return timedOut
    ? new MediaDownloadError(`WhatsApp media ${step} timed out`, true, { reason: 'media_timeout' })
    : new MediaDownloadError(`WhatsApp media ${step} failed: ${error instanceof Error ? error.name : 'unknown error'}`, true, { reason: 'media_unreachable' });
}

function tooLarge(size: number, maxBytes: number): MediaDownloadError {
  return new MediaDownloadError(`WhatsApp media too large: ${size} bytes, at most ${maxBytes} accepted`, false, { reason: 'media_too_large' });
}

/** Graph documents the digest as hex; base64 is accepted too, so a change of encoding is no false alarm. */
function checksumMatches(bytes: Uint8Array, expected: string): boolean {
  const digest = createHash('sha256').update(bytes).digest();
  const value = expected.trim();
  return value.toLowerCase() === digest.toString('hex') || value === digest.toString('base64') || value === digest.toString('base64url');
}
