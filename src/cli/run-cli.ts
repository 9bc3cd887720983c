import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '../adapters/postgres/database.js';
import { PostgresApiKeyStore } from '../adapters/postgres/postgres-api-key-store.js';
import { ConfigError, loadCliConfig } from '../config/config.js';
import { SCOPES, type Scope } from '../domain/model/api-key.js';
import { DEAD_LETTER_USAGE, deadLetterCommand } from './dead-letter-commands.js';
import { ADMIN_USAGE, adminCommand, CliProblem } from './admin-commands.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = `Usage: vocoeng <command>
  migrate                                   apply pending database migrations
  api-key create --name <name> --scope <scope> [--scope <scope>]
                                            create an API key (printed once); scopes: ${SCOPES.join(', ')}
  api-key list                              list keys (prefix, scopes, last use, revoked)
  api-key revoke <id>                       revoke a key
${DEAD_LETTER_USAGE}
${ADMIN_USAGE}
The database is DATABASE_URL, or embedded PGlite under DATA_DIR (default .data). Replays publish to
PUBSUB_TOPIC / PUBSUB_INTERACTIONS_TOPIC of PROJECT_ID.`;

/** Runs one command and answers the process exit code; never prints a key except the one created. */
export async function runCli(argv: string[], env: Readonly<Record<string, string | undefined>>, io: Output, readStdin: () => Promise<string> = async () => ''): Promise<number> {
  const [command, sub, ...rest] = argv;
  let database: Database | undefined;
  try {
    const config = loadCliConfig(env);
    const location = config.DATABASE_URL ? { url: config.DATABASE_URL } : { embeddedDir: join(config.DATA_DIR, 'pglite') };
    const open = () => openDatabase(location);
    if (command === 'migrate' && sub === undefined) {
      const applied: string[] = [];
      database = await openDatabase(location, { log: (line) => applied.push(line) });
      for (const line of applied.length ? applied : [`${database.describe}: up to date`]) io.out(line);
      return 0;
    }
    if (command === 'api-key' && sub === 'create') {
      const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, scope: { type: 'string', multiple: true } }, strict: true });
      const problems = createProblems(values.name, values.scope);
      if (problems.length) return usageError(io, problems);
      database = await open();
      const { info, secret } = await new PostgresApiKeyStore(database.orm).create({ name: values.name!, scopes: values.scope as Scope[], createdBy: 'cli' }, Date.now());
      io.out(`Created API key ${info.id} (${info.prefix}…, scopes ${info.scopes.join(', ')}). It is shown only this once:`);
      io.out(secret);
      return 0;
    }
    if (command === 'api-key' && sub === 'list' && rest.length === 0) {
      database = await open();
      for (const key of await new PostgresApiKeyStore(database.orm).list()) {
        const used = key.lastUsedAt ? new Date(key.lastUsedAt).toISOString() : 'never used';
        io.out(`${key.id}  ${key.prefix}…  ${key.name}  [${key.scopes.join(',')}]  ${used}${key.revokedAt ? '  REVOKED' : ''}`);
      }
      return 0;
    }
    if (command === 'api-key' && sub === 'revoke' && rest.length === 1) {
      database = await open();
      if (!(await new PostgresApiKeyStore(database.orm).revoke(rest[0]!, Date.now()))) return usageError(io, [`no API key with id ${rest[0]}`]);
      io.out(`Revoked ${rest[0]}`);
      return 0;
    }
    const deadLetters = command === 'dead-letters' ? deadLetterCommand(sub, rest, config) : undefined;
    if (deadLetters) {
      if (deadLetters.problems.length) return usageError(io, deadLetters.problems);
      return await deadLetters.run(async () => (database = await open()), io);
    }
    const admin = command === 'admin' ? adminCommand(sub, rest, env, readStdin) : undefined;
    if (admin) {
      if (admin.problems.length) return usageError(io, admin.problems);
      return await admin.run(async () => (database = await open()), io);
    }
    return usageError(io, command ? [`unknown command: ${argv.join(' ')}`] : []);
  } catch (error) {
    if (error instanceof CliProblem) return usageError(io, [error.message]);
    if (error instanceof ConfigError) return usageError(io, [...error.problems]);
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) return usageError(io, [error.message]);
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await database?.close();
  }
}

function createProblems(name: string | undefined, scopes: string[] | undefined): string[] {
  const problems: string[] = [];
  if (!name?.trim()) problems.push('--name is required');
  if (!scopes?.length) problems.push(`--scope is required (${SCOPES.join(', ')})`);
  for (const scope of scopes ?? []) if (!(SCOPES as readonly string[]).includes(scope)) problems.push(`unknown scope ${scope} (${SCOPES.join(', ')})`);
  return problems;
}

function usageError(io: Output, problems: string[]): number {
  for (const problem of problems) io.err(problem);
  io.err(USAGE);
  return 2;
}
