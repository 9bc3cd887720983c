import type { EntityManager } from '@mikro-orm/postgresql';
import { ValidationError } from '../../domain/model/errors.js';
import { preparedSessionOf, type Execute } from './prepared-statements.js';

export type SqlValue = string | number | boolean | null;

// SQL text with `?` placeholders and the values bound to them, in order.
export interface Sql {
  readonly text: string;
  readonly params: readonly SqlValue[];
  /** Run often with the same text: worth preparing where the database keeps one session (PGlite). */
  readonly reusable?: true;
}

/** `query`, marked as a hot statement of a fixed text (see PreparedStatements). */
export const reusable = (query: Sql): Sql => ({ ...query, reusable: true });

/** Runs `query` through `execute`: prepared once and then EXECUTEd when reusable and the connection is one session. */
export function runOn<Row>(connection: object, query: Sql, execute: Execute): Promise<Row[]> {
  const session = query.reusable ? preparedSessionOf(connection) : undefined;
  return session ? session.run<Row>(query.text, query.params, execute) : execute<Row>(query.text, query.params);
}

const isSql = (value: unknown): value is Sql => typeof value === 'object' && value !== null && 'text' in value && 'params' in value;

// Tagged template: interpolated values become bound parameters, interpolated `Sql` is spliced in.
export function sql(strings: TemplateStringsArray, ...values: (SqlValue | Sql | undefined)[]): Sql {
  let text = strings[0]!;
  const params: SqlValue[] = [];
  values.forEach((value, i) => {
    if (isSql(value)) {
      text += value.text;
      params.push(...value.params);
    } else {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
      text += '?';
      params.push(value ?? null);
    }
    text += strings[i + 1]!;
  });
  return { text, params };
}

// Trusted SQL text (identifiers and expressions from this module's constants, never input).
export const raw = (text: string): Sql => ({ text, params: [] });

export const join = (parts: Sql[], separator: string): Sql => ({
  text: parts.map((part) => part.text).join(separator),
  params: parts.flatMap((part) => part.params),
});

export const EMPTY = raw('');

const MIN_MS = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

// A timestamptz parameter from epoch ms, years 1 to 9999 (what an ISO string and PostgreSQL share).
export function at(ms: number): Sql {
  if (!(ms >= MIN_MS && ms <= MAX_MS)) throw new ValidationError('time is out of range');
  return sql`${new Date(ms).toISOString()}::timestamptz`;
}

// A timestamptz expression as epoch ms, a JS number (exact: values are whole milliseconds).
export const epochMs = (expression: string): string => `(extract(epoch from ${expression}) * 1000)::float8`;

// Runs a statement through MikroORM, which binds the parameters (escaped by the PostgreSQL
// platform) and joins the entity manager's transaction when there is one.
export function run<Row>(em: EntityManager, query: Sql): Promise<Row[]> {
  return runOn<Row>(em.getConnection(), query, (text, params) => em.execute(text, [...params], 'all'));
}
