import type { SqlValue } from './sql-fragment.js';

/** Runs SQL text with `?` placeholders (MikroORM binds them) on some connection or transaction. */
export type Execute = <Row>(text: string, params: readonly SqlValue[]) => Promise<Row[]>;

/** How many distinct statement texts one session prepares; texts beyond it run as written. */
const CAPACITY = 512;
/** What PostgreSQL's PREPARE accepts; anything else (VACUUM, SET, DDL) runs as written. */
const PREPARABLE = /^\s*(select|insert|update|delete|merge|values|with)\b/i;

/**
 * Statements parsed and planned once per database session, then run by `EXECUTE`.
 *
 * PGlite serves every pooled connection through its one PostgreSQL session, so a statement
 * prepared by SQL `PREPARE` on any connection is there for all of them, until the database closes
 * (it survives a rollback, and nothing deallocates it). Planning is most of what a hot statement
 * costs PGlite (the interaction upsert: ~2.4 ms inlined, ~0.6 ms prepared). A server's pooled
 * connections are separate sessions: there statements run as written (no session is registered).
 */
export class PreparedStatements {
  private readonly names = new Map<string, Promise<string>>();
  private prepared = 0;

  run<Row>(text: string, params: readonly SqlValue[], execute: Execute): Promise<Row[]> {
    const known = this.names.get(text);
    if (!known && (this.names.size >= CAPACITY || !PREPARABLE.test(text))) return execute<Row>(text, params);
    return (known ?? this.prepare(text, execute)).then((name) => execute<Row>(params.length > 0 ? `execute ${name}(${params.map(() => '?').join(', ')})` : `execute ${name}`, params));
  }

  private prepare(text: string, execute: Execute): Promise<string> {
    const name = `vocoeng_${++this.prepared}`;
    const prepared = execute(`prepare ${name} as ${numbered(text)}`, []).then(() => name);
    this.names.set(text, prepared);
    // A text that could not be prepared (its statement is wrong) is tried again next time, and fails as written would.
    prepared.catch(() => this.names.delete(text));
    return prepared;
  }
}

/** `?` placeholders as `$1`, `$2`, … in order (our statements hold no other `?`: no jsonb `?` operators). */
export function numbered(text: string): string {
  if (text.includes('??') || text.includes('\\?')) throw new Error('a prepared statement holds `??` or `\\?`, which are not placeholders');
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

const SESSIONS = new WeakMap<object, PreparedStatements>();

/** Marks `connection` (MikroORM's, shared by every entity manager of one ORM) as one session: an embedded PGlite. */
export function preparesStatements(connection: object): void {
  SESSIONS.set(connection, new PreparedStatements());
}

/** The session of `connection` when its statements may be prepared, else undefined. */
export const preparedSessionOf = (connection: object): PreparedStatements | undefined => SESSIONS.get(connection);
