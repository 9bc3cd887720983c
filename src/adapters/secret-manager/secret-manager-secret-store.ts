import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { DomainError } from '../../domain/model/errors.js';
import type { SecretStore } from '../../domain/ports/secret-store.js';
import { crc32c } from './crc32c.js';

export type SecretFailureReason =
  | 'invalid_name'
  | 'not_found'
  | 'permission_denied'
  | 'unauthenticated'
  | 'failed_precondition'
  | 'unavailable'
  | 'checksum_mismatch'
  | 'empty'
  | 'not_utf8'
  | 'error';

export interface SecretFailure {
  name: string;
  reason: SecretFailureReason;
  /** What the server or the check said; never the secret's value. */
  detail: string;
}

const REASON_TEXT: Record<SecretFailureReason, string> = {
  invalid_name: 'invalid secret name',
  not_found: 'not found',
  permission_denied: 'permission denied',
  unauthenticated: 'unauthenticated',
  failed_precondition: 'version not accessible (disabled or destroyed?)',
  unavailable: 'Secret Manager unreachable',
  checksum_mismatch: 'checksum mismatch',
  empty: 'empty',
  not_utf8: 'not valid UTF-8',
  error: 'error',
};

/** Every secret a load could not supply, each named with its reason; no value ever appears. */
export class SecretLoadError extends DomainError {
  readonly names: readonly string[];

  constructor(readonly failures: readonly SecretFailure[]) {
    const list = failures.map((f) => `${f.name} (${REASON_TEXT[f.reason]}${f.detail ? `: ${f.detail}` : ''})`).join('; ');
    super('secrets_unreadable', `secrets not readable from Secret Manager: ${list}`, false);
    this.names = failures.map((f) => f.name);
  }
}

type Outcome = { ok: true; value: string } | { ok: false; failure: SecretFailure };
type AccessClient = Pick<SecretManagerServiceClient, 'accessSecretVersion'>;

// Secret ids as Secret Manager allows them; anything else would build a different resource path.
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads `projects/P/secrets/NAME/versions/latest` for every name in parallel, verifies the
 * payload's CRC-32C when the server sends one, and caches what it read for the life of the
 * instance. Failures are not cached, so a later load retries them.
 */
export class SecretManagerSecretStore implements SecretStore {
  private readonly cache = new Map<string, Promise<Outcome>>();

  constructor(
    private readonly client: AccessClient,
    private readonly projectId: string,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  async load(names: readonly string[]): Promise<Record<string, string>> {
    const unique = [...new Set(names)];
    const outcomes = await Promise.all(unique.map((name) => this.read(name)));
    const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.failure]));
    if (failures.length > 0) throw new SecretLoadError(failures);
    return Object.fromEntries(unique.map((name, i) => [name, (outcomes[i] as { value: string }).value]));
  }

  private read(name: string): Promise<Outcome> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const pending = this.access(name);
    this.cache.set(name, pending);
    void pending.then((o) => {
      if (!o.ok) this.cache.delete(name);
    });
    return pending;
  }

  private async access(name: string): Promise<Outcome> {
    const fail = (reason: SecretFailureReason, detail = ''): Outcome => ({ ok: false, failure: { name, reason, detail } });
    if (!SECRET_ID.test(name)) return fail('invalid_name', 'expected 1-255 letters, digits, - or _');
    const resource = `projects/${this.projectId}/secrets/${name}/versions/latest`;
    let payload;
    try {
      const timeout = this.options.timeoutMs;
      [{ payload }] = await this.client.accessSecretVersion({ name: resource }, timeout === undefined ? undefined : { timeout });
    } catch (error) {
      return { ok: false, failure: { name, ...classify(error) } };
    }
    const data = toBytes(payload?.data);
    if (data.length === 0) return fail('empty', `${resource} has no data`);
    const expected = payload?.dataCrc32c;
    if (expected !== null && expected !== undefined) {
      const sent = toUint32(expected);
      if (sent === undefined) return fail('checksum_mismatch', `unreadable dataCrc32c in the response for ${resource}`);
      if (sent !== crc32c(data)) return fail('checksum_mismatch', `payload of ${resource} does not match its CRC-32C`);
    }
    let value: string;
    try {
      value = utf8.decode(data);
    } catch {
      return fail('not_utf8', `${resource} holds binary data`);
    }
    // `echo … | gcloud secrets create --data-file=-` stores a newline no header or HMAC key wants:
    // exactly one is dropped (a value that means to end in one keeps the others).
    value = value.replace(/\r?\n$/, '');
    return value === '' ? fail('empty', `${resource} holds only a newline`) : { ok: true, value };
  }
}

const GRPC_REASONS: Partial<Record<number, SecretFailureReason>> = {
  5: 'not_found',
  7: 'permission_denied',
  16: 'unauthenticated',
  9: 'failed_precondition',
  14: 'unavailable',
  4: 'unavailable',
};

function classify(error: unknown): { reason: SecretFailureReason; detail: string } {
  const { code, details, message } = (error ?? {}) as { code?: unknown; details?: unknown; message?: unknown };
  const reason = (typeof code === 'number' && GRPC_REASONS[code]) || 'error';
  const detail = typeof details === 'string' && details ? details : typeof message === 'string' ? message : String(error);
  return { reason, detail };
}

function toBytes(data: Uint8Array | string | null | undefined): Uint8Array {
  if (data === null || data === undefined) return new Uint8Array();
  // JSON (REST fallback) carries bytes as base64.
  return typeof data === 'string' ? Buffer.from(data, 'base64') : data;
}

/**
 * `dataCrc32c` is an int64: a decimal string with the gRPC transport's options, but a number or a
 * Long from other decoders. Google documents that it can be down-converted to uint32.
 */
function toUint32(value: unknown): number | undefined {
  let big: bigint;
  try {
    if (typeof value === 'bigint') big = value;
    else if (typeof value === 'number' || typeof value === 'string') big = BigInt(value);
    else if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) {
      const { low, high } = value as { low: number; high: number };
      big = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
    } else return undefined;
  } catch {
    return undefined; // not an integer: treated as a checksum that cannot match
  }
  return Number(BigInt.asUintN(32, big));
}

export interface SecretManagerClientOptions {
  /** A local double: host (e.g. `127.0.0.1`), port, and plaintext instead of TLS with Google credentials. */
  apiEndpoint?: string;
  port?: number;
  insecure?: boolean;
}

/**
 * A Secret Manager client with Application Default Credentials, or pointed at a local endpoint.
 * @grpc/grpc-js is only a dev dependency, so it is imported only on the insecure (test) path.
 */
export async function createSecretManagerClient(options: SecretManagerClientOptions = {}): Promise<SecretManagerServiceClient> {
  const { apiEndpoint, port, insecure } = options;
  const endpoint = { ...(apiEndpoint ? { apiEndpoint } : {}), ...(port ? { port } : {}) };
  // Loaded only when secrets are read (SECRET_MANAGER_SECRETS): every role's start imports this module.
  const { SecretManagerServiceClient } = await import('@google-cloud/secret-manager');
  if (!insecure) return new SecretManagerServiceClient(endpoint);
  const { credentials } = await import('@grpc/grpc-js');
  return new SecretManagerServiceClient({ ...endpoint, sslCreds: credentials.createInsecure() });
}
