import type { MikroORM } from '@mikro-orm/postgresql';
import { reusable, runOn, type Sql } from './sql-fragment.js';

/**
 * The outbox's statements, each run on its own (autocommit: its own short transaction) on a pooled
 * connection, outside any request's entity manager: the consumer runs outside requests, and PGlite
 * serves every connection through one session, so no transaction may span a handler. Each is of a
 * fixed text (prepared once on PGlite), but for the number of rows or ids it names.
 */
export class OutboxStatements {
  constructor(private readonly orm: MikroORM) {}

  run<Row>(query: Sql): Promise<Row[]> {
    const connection = this.orm.em.getConnection();
    return runOn<Row>(connection, reusable(query), (text, params) => connection.execute(text, [...params], 'all'));
  }
}

/**
 * What may be said about a failed statement: its class and SQLSTATE or system code. Never the
 * driver's message, which may quote the statement, and the statement carries message text.
 */
export function safeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown failure';
  const details = error as Error & { code?: unknown; sqlState?: unknown };
  const code = [details.sqlState, details.code].find((value) => typeof value === 'string' || typeof value === 'number');
  return `${error.name}${code !== undefined ? ` (${String(code)})` : ''}`;
}

/** A background failure of the outbox, safe to log. */
export function outboxError(operation: string, error: unknown): Error {
  const failure = new Error(`message outbox ${operation} failed: ${safeFailure(error)}`);
  failure.name = 'OutboxError';
  return failure;
}
