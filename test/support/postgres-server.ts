import { execFile } from 'node:child_process';
import { mkdtemp, rm, chown } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { containerRuntimeAnswers } from './container-runtime.js';
import { aFreePort } from './ports.js';

const run = promisify(execFile);
const BIN = process.env.VOCOENG_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface RunningPostgres {
  /** Superuser URL of the server's `postgres` database; suites create their own databases. */
  url: string;
  via: 'testcontainers' | 'local';
  /** The directory of the server's Unix socket (`-k`), for the socket form of DATABASE_URL; '' in a container. */
  socketDir: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL server: testcontainers where a container runtime answers, else a fresh
 * cluster from the locally installed binaries (as the `postgres` user when running as root,
 * because PostgreSQL refuses to run as root), in a temporary directory removed at stop.
 */
export async function startPostgres(): Promise<RunningPostgres> {
  if (await containerRuntimeAnswers()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').withUsername('postgres').withPassword('postgres').start();
    return { url: container.getConnectionUri().replace(/\/[^/]*$/, '/postgres'), via: 'testcontainers', socketDir: '', port: container.getPort(), stop: async () => void (await container.stop()) };
  }
  return startLocalCluster();
}

async function startLocalCluster(): Promise<RunningPostgres> {
  const root = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'vocoeng-pg-'));
  const asPostgres = (command: string, args: string[]) =>
    root ? run('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]) : run(join(BIN, command), args);
  if (root) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  const port = await aFreePort();
  try {
    await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await asPostgres('pg_ctl', [
      '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30',
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
      'start',
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`local PostgreSQL did not start from ${BIN}: ${(error as Error).message}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    via: 'local',
    socketDir: dir,
    port,
    async stop() {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
