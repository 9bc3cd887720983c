/** Where a DATABASE_URL points, as the pg driver takes it. */
export interface DatabaseAddress {
  /** A host name, or the directory of a Unix socket (starts with `/`). */
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const PROTOCOL = /^postgres(ql)?:$/;
// `user:pw@/db` (credentials, empty host) is not a WHATWG URL; pg and libpq accept it.
const EMPTY_HOST_AFTER_CREDENTIALS = /^(postgres(?:ql)?:\/\/[^/?#@]*@)\//;
const PLACEHOLDER_HOST = 'socket.invalid';

/**
 * Parses `postgres://user:pw@host:port/db`, or the Unix-socket form Cloud SQL on Cloud Run uses,
 * `postgresql://user:pw@/db?host=/cloudsql/PROJECT:REGION:INSTANCE` (a `?port=` picks the socket
 * file `.s.PGSQL.<port>`; default 5432). Undefined when it is neither; never echoes the value.
 */
export function parseDatabaseUrl(value: string): DatabaseAddress | undefined {
  const text = value.replace(EMPTY_HOST_AFTER_CREDENTIALS, `$1${PLACEHOLDER_HOST}/`);
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  if (!PROTOCOL.test(url.protocol)) return undefined;
  const hostname = url.hostname === PLACEHOLDER_HOST ? '' : decodeURIComponent(url.hostname);
  const socketDir = url.searchParams.get('host') ?? '';
  if (socketDir !== '' && !socketDir.startsWith('/')) return undefined;
  const host = socketDir || hostname;
  if (host === '') return undefined;
  const port = Number(url.searchParams.get('port') || url.port || 5432);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  return {
    host,
    port,
    user: decodeURIComponent(url.username) || (url.searchParams.get('user') ?? ''),
    password: decodeURIComponent(url.password) || (url.searchParams.get('password') ?? ''),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
  };
}

/** Where it runs, without credentials: `postgres://host:port/db` or `postgres:///db?host=/socket/dir`. */
export function describeDatabase(address: DatabaseAddress): string {
  return address.host.startsWith('/') ? `postgres:///${address.database}?host=${address.host}` : `postgres://${address.host}:${address.port}/${address.database}`;
}
