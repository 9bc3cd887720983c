import { GoogleAuth } from 'google-auth-library';
import { CompletionError } from '../../domain/ports/completion-model.js';
import { OpenAiCompletionModel, type OpenAiCompletionModelOptions } from '../openai/openai-completion-model.js';

export const VERTEX_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** What hands out OAuth2 access tokens: google-auth-library's `GoogleAuth` (cached, refreshed before expiry). */
export interface AccessTokenSource {
  getAccessToken(): Promise<string | null | undefined>;
}

export interface VertexCompletionModelOptions extends Omit<OpenAiCompletionModelOptions, 'apiKey' | 'baseURL'> {
  project: string;
  /** A region such as `europe-west1`, or `global`. */
  location: string;
  /** Replaces `https://{location}-aiplatform.googleapis.com` (a local double in tests); the path stays Vertex AI's. */
  apiEndpoint?: string;
  /** Default: Application Default Credentials (workload identity on Cloud Run, `GOOGLE_APPLICATION_CREDENTIALS` locally). */
  tokens?: AccessTokenSource;
}

/** The OpenAI-compatible base URL of Vertex AI for a project and location (`…/chat/completions` is appended by the SDK). */
export function vertexBaseUrl(project: string, location: string, apiEndpoint?: string): string {
  const origin = apiEndpoint?.replace(/\/+$/, '') ?? (location === 'global' ? 'https://aiplatform.googleapis.com' : `https://${location}-aiplatform.googleapis.com`);
  return `${origin}/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/endpoints/openapi`;
}

/**
 * Gemini on Vertex AI through its OpenAI-compatible chat completions endpoint: the OpenAI adapter
 * (same retries, circuit breaker and error classification) with a Google access token instead of
 * an API key. The SDK asks for the token before every request; google-auth-library caches it and
 * fetches a new one shortly before it expires, so each request carries a current one.
 */
export class VertexCompletionModel extends OpenAiCompletionModel {
  constructor(options: VertexCompletionModelOptions) {
    const { project, location, apiEndpoint, tokens, ...rest } = options;
    const source = tokens ?? new GoogleAuth({ scopes: [VERTEX_SCOPE] });
    super({ ...rest, baseURL: vertexBaseUrl(project, location, apiEndpoint), apiKey: () => accessToken(source) });
  }
}

async function accessToken(source: AccessTokenSource): Promise<string> {
  let token: string | null | undefined;
  try {
    token = await source.getAccessToken();
  } catch (error) {
    throw tokenError(error);
  }
  if (!token) throw new CompletionError('Google credentials gave no access token', true, { reason: 'model_auth_failed' });
  return token;
}

/**
 * Refused credentials (the token endpoint answers 400/401/403: a revoked or malformed key, a
 * deleted service account) cannot get better by retrying; an unreachable or failing token
 * endpoint can. Messages carry the status and OAuth2 error code only, and no cause: the failed
 * request holds the signed assertion.
 */
function tokenError(error: unknown): CompletionError {
  const status = (error as { response?: { status?: unknown } } | undefined)?.response?.status;
  const data = (error as { response?: { data?: unknown } } | undefined)?.response?.data;
  const code = typeof data === 'object' && data !== null && typeof (data as { error?: unknown }).error === 'string' ? (data as { error: string }).error : undefined;
  const safeCode = code && /^[\w.-]{1,64}$/.test(code) ? ` ${code}` : '';
  if (typeof status === 'number') {
    const refused = status === 400 || status === 401 || status === 403;
    return new CompletionError(`Google access token refused: HTTP ${status}${safeCode}`, !refused, { reason: 'model_auth_failed' });
  }
  return new CompletionError(`Google access token unavailable: ${error instanceof Error ? error.name : 'unknown error'}`, true, { reason: 'model_auth_failed' });
}
