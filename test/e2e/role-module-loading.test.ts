import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startRoleProcess, type RoleProcess } from '../support/role-process.js';

// Each role module is loaded with import() and binds only what its role uses: a process records
// every module it resolves (a loader hook), and what a role must not load is checked on that list.

const recorder = pathToFileURL(join(import.meta.dirname, '../support/module-recorder.mjs')).href;
// Secret Manager is read only when SECRET_MANAGER_SECRETS names secrets (not here).
const HEAVY = ['@google-cloud/firestore', '@mikro-orm/core', '@mikro-orm/postgresql', '@mikro-orm/migrations', 'openai', '@electric-sql/pglite', '@google-cloud/secret-manager'];

const started: RoleProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((role) => role.child.kill()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The modules a role process resolved (their URLs) from start to ready, and the npm packages among them. */
async function loadedBy(env: Record<string, string>, options: { project?: boolean; readyMs?: number } = {}): Promise<{ modules: string[]; packages: Set<string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vocoeng-modules-'));
  dirs.push(dir);
  const log = join(dir, 'modules.txt');
  const project: Record<string, string> = options.project === false ? {} : { PROJECT_ID: `demo-load-${randomUUID().slice(0, 8)}` };
  const role = await startRoleProcess({ ...project, DATA_DIR: join(dir, 'data'), VOCOENG_TEST_MODULE_LOG: log, ...env }, options.readyMs ?? 30_000, { imports: [recorder] });
  started.push(role);
  const modules = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  return { modules, packages: new Set(modules.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\/node_modules\/)/.exec(url)?.slice(1) ?? [])) };
}

/** The npm packages a role process resolved a module of, from start to ready. */
async function packagesLoadedBy(env: Record<string, string>): Promise<Set<string>> {
  return (await loadedBy(env)).packages;
}

describe('a role process', () => {
  it('loads neither Firestore, MikroORM, OpenAI, PGlite nor Secret Manager when ROLE=listener', async () => {
    const packages = await packagesLoadedBy({ ROLE: 'listener', WHATSAPP_APP_SECRET: randomUUID(), WHATSAPP_VERIFY_TOKEN: randomUUID() });

    // The recorder sees the packages the listener does use: its bus and its web framework.
    expect(packages).toContain('@google-cloud/pubsub');
    expect(packages).toContain('hono');
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
  });

  it('loads Firestore but neither MikroORM, PGlite nor Secret Manager (nor OpenAI for the scripted model) when ROLE=worker', async () => {
    const { modules, packages } = await loadedBy({ ROLE: 'worker', AI_PROVIDER: 'scripted' });

    expect(packages).toContain('@google-cloud/firestore');
    expect(HEAVY.filter((name) => packages.has(name))).toEqual(['@google-cloud/firestore']);
    // No tokenizer rank table (tens of MB each): the encoding loads at the first prompt that needs
    // counting (gpt-token-counter.test.ts checks which one).
    const rankTables = modules.flatMap((url) => /gpt-tokenizer\/.*\/bpeRanks\/(\w+)\.js$/.exec(url)?.slice(1) ?? []);
    expect(rankTables).toEqual([]);
    expect(packages.has('gpt-tokenizer')).toBe(false);
  });

  // Started on embedded PGlite: its start and migrations can take half a minute on a busy machine.
  it('loads the PostgreSQL chat store and bus, and neither Firestore, Pub/Sub nor the in-memory fakes, when ROLE=all runs without PROJECT_ID', { timeout: 120_000 }, async () => {
    const { modules, packages } = await loadedBy({ ROLE: 'all', AI_PROVIDER: 'scripted' }, { project: false, readyMs: 90_000 });
    const sources = modules.filter((url) => url.includes('/src/adapters/')).map((url) => url.replace(/^.*\/src\/adapters\//, ''));

    expect(sources).toEqual(expect.arrayContaining(['postgres/postgres-chat-store.ts', 'postgres/postgres-message-bus.ts']));
    expect(sources.filter((source) => source.startsWith('memory/') || source.startsWith('firestore/') || source.startsWith('pubsub/'))).toEqual([]);
    expect(['@google-cloud/firestore', '@google-cloud/pubsub'].filter((name) => packages.has(name))).toEqual([]);
  });
});
