import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import type { Database } from '../../src/adapters/postgres/database.js';
import { PostgresApiKeyStore } from '../../src/adapters/postgres/postgres-api-key-store.js';
import { aFreshDatabase } from '../support/databases.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) } };
}

describe('vocoeng CLI', () => {
  let db: Database & { url?: string };
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await aFreshDatabase('postgres');
    env = { DATABASE_URL: db.url! };
  });
  afterAll(() => db.close());

  it('says the database is up to date when migrate finds nothing pending', async () => {
    const run = io();
    expect(await runCli(['migrate'], env, run.io)).toBe(0);
    expect(run.out.join('\n')).toMatch(/up to date$/);
  });

  it('creates a key that verifies, printing the secret once, and revokes it', async () => {
    const run = io();
    expect(await runCli(['api-key', 'create', '--name', 'analysts', '--scope', 'analytics:read'], env, run.io)).toBe(0);
    const secret = run.out[1]!;
    const store = new PostgresApiKeyStore(db.orm);
    const principal = await store.verify(secret, Date.now());
    expect([...principal!.scopes]).toEqual(['analytics:read']);

    const listing = io();
    expect(await runCli(['api-key', 'list'], env, listing.io)).toBe(0);
    expect(listing.out.join('\n')).toContain(`${principal!.keyId}  ${secret.split('.')[0]}…  analysts  [analytics:read]`);
    expect(listing.out.join('\n')).not.toContain(secret);

    expect(await runCli(['api-key', 'revoke', principal!.keyId], env, io().io)).toBe(0);
    expect(await store.verify(secret, Date.now())).toBeNull();
  });

  it('exits 2 listing every problem and creates nothing when create has an unknown scope and no name', async () => {
    const run = io();
    const before = (await new PostgresApiKeyStore(db.orm).list()).length;
    expect(await runCli(['api-key', 'create', '--scope', 'root'], env, run.io)).toBe(2);
    expect(run.err.slice(0, 2)).toEqual(['--name is required', 'unknown scope root (analytics:read, conversations:write, admin)']);
    expect((await new PostgresApiKeyStore(db.orm).list()).length).toBe(before);
  });

  it('exits 2 with the usage for an unknown command or option, and for a malformed DATABASE_URL', async () => {
    for (const [argv, environment] of [[['frobnicate'], env], [['api-key', 'create', '--nmae', 'x'], env], [['migrate'], { DATABASE_URL: 'mysql://x' }]] as const) {
      const run = io();
      expect(await runCli([...argv], environment, run.io)).toBe(2);
      expect(run.err.join('\n')).toContain('Usage: vocoeng <command>');
    }
  });

  it('exits 2 when revoking a key that does not exist', async () => {
    const run = io();
    expect(await runCli(['api-key', 'revoke', '00000000-0000-4000-8000-000000000000'], env, run.io)).toBe(2);
    expect(run.err[0]).toBe('no API key with id 00000000-0000-4000-8000-000000000000');
  });

  describe('on embedded PGlite under DATA_DIR', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'vocoeng-cli-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('migrates a new data directory once and keeps a created key across runs', async () => {
      const first = io();
      expect(await runCli(['migrate'], { DATA_DIR: dir }, first.io)).toBe(0);
      expect(first.out).toEqual(['migration applied: M001InitialSchema', 'migration applied: M002ErasedUser', 'migration applied: M003DeadLetter', 'migration applied: M004LoginThrottle', 'migration applied: M005DeliveryFailureReason', 'migration applied: M006ChatStore', 'migration applied: M007MessageOutbox', 'migration applied: M008ConversationList', 'migration applied: M009WhatsAppCharges', 'migration applied: M010ConversationTokens', 'migration applied: M011ConversationParticipant', 'migration applied: M012ConversationMode', 'migration applied: M013ConversationSearch', 'migration applied: M014ChatHandoff', 'migration applied: M015AgentReply', 'migration applied: M016ToolCall']);
      const created = io();
      expect(await runCli(['api-key', 'create', '--name', 'local', '--scope', 'admin'], { DATA_DIR: dir }, created.io)).toBe(0);
      const listing = io();
      expect(await runCli(['api-key', 'list'], { DATA_DIR: dir }, listing.io)).toBe(0);
      expect(listing.out).toHaveLength(1);
      expect(listing.out[0]).toContain('local  [admin]');
    }, 60_000);
  });
});
