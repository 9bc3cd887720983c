import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/postgres/database.js';
import { TIMESERIES_METRICS } from '../../src/domain/model/analytics.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { aFreshDatabase } from '../support/databases.js';
import { roleHarness, type RoleHarness } from '../support/role-harness.js';

// OpenAPI-driven fuzzing: for every operation of /openapi.json, requests built from its declared
// parameters with valid, boundary and hostile values (and junk parameters, bodies, keys), against
// the api on a real database. The API must answer every one below 500, as JSON (or CSV), and
// never show a stack trace or a file path.
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 300);

type Parameter = { name: string; in: 'query' | 'path'; required?: boolean };
type Operation = { parameters?: Parameter[]; requestBody?: unknown; 'x-required-scope'?: string };

const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '0', '-1', '1e400', 'NaN', 'Infinity', '9'.repeat(30), 'null', 'undefined', '[]', '{}', '%00', '%', '%E0%A4%A', '../../etc/passwd', "' or 1=1 --", '<script>', '\u0000', '\uFFFF', '\uD800'),
  fc.date({ noInvalidDate: true, min: new Date(-8.64e15), max: new Date(8.64e15) }).map((d) => d.toISOString()),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.constantFrom('2026-11-01T00:00:00Z', '2026-11-25', '1764072000000', 'whatsapp', 'api', 'hour', 'day', 'messagesIn', 'latencyP99', '50', '200', '201'),
);

/** Percent-encodes a path segment; a lone surrogate goes in as the invalid UTF-8 bytes a client could send. */
function encodePath(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value.replace(/[\uD800-\uDFFF]/g, '%ED%A0%80').split('%ED%A0%80').map(encodeURIComponent).join('%ED%A0%80');
  }
}

/** Values a careful client would send for a parameter, so the fuzzing also reaches the handlers. */
function plausible(name: string): fc.Arbitrary<string> {
  const recent = fc.integer({ min: Date.UTC(2026, 9, 1), max: Date.UTC(2026, 10, 26) });
  switch (name) {
    case 'from':
    case 'to':
      return fc.oneof(recent.map((ms) => new Date(ms).toISOString()), recent.map(String));
    case 'channel':
      return fc.constantFrom('whatsapp', 'api');
    case 'metric':
      return fc.constantFrom(...TIMESERIES_METRICS);
    case 'interval':
      return fc.constantFrom('hour', 'day');
    case 'limit':
      return fc.integer({ min: 1, max: 200 }).map(String);
    case 'id':
      return fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 40, maxLength: 40 }).map((hex) => `c_${hex}`);
    default:
      return fc.string({ maxLength: 12 });
  }
}

const STACK = /\n\s+at |\.ts:\d+|\.js:\d+|node_modules|\/work\//;

describe('fuzzing every operation of the OpenAPI document', () => {
  let database: Database;
  let h: RoleHarness;
  let document: { paths: Record<string, Record<string, Operation>> };
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    database = await aFreshDatabase('pglite');
    h = await roleHarness({ database });
    const store = h.runtime.container.get(TOKENS.ApiKeyStore);
    keys['analytics:read'] = (await store.create({ name: 'fuzz-reader', scopes: ['analytics:read'] }, h.clock.now())).secret;
    keys.admin = (await store.create({ name: 'fuzz-admin', scopes: ['admin'] }, h.clock.now())).secret;
    document = (await (await h.app.request('/openapi.json')).json()) as typeof document;
  }, 60_000);
  afterAll(() => database?.close());

  it('answers every generated request below 500, without a stack trace', async () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
    expect(operations.length).toBeGreaterThanOrEqual(6);
    const statuses = new Map<number, number>();
    for (const { path, method, operation } of operations) {
      const parameters = operation.parameters ?? [];
      const request = fc.record({
        values: fc.tuple(
          ...parameters.map((p) => fc.option(fc.oneof({ weight: 3, arbitrary: plausible(p.name) }, { weight: 1, arbitrary: hostile }), { nil: undefined, freq: 4 })),
          fc.constant(undefined),
        ),
        junk: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
        key: fc.constantFrom('right', 'right', 'right', 'wrong-scope', 'none', 'garbage'),
        body: fc.oneof(fc.json(), fc.constant('{"channel":"whatsapp","accountId":"phone-1","participantId":"+4917012345"}'), fc.string({ maxLength: 64 })),
        contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ values, junk, key, body, contentType }) => {
          let url = path;
          const query = new URLSearchParams(junk);
          parameters.forEach((parameter, i) => {
            const value = values[i];
            if (parameter.in === 'path') url = url.replace(`{${parameter.name}}`, encodePath(value ?? 'c_0000'));
            else if (value !== undefined) query.set(parameter.name, value);
          });
          const scope = operation['x-required-scope']!;
          const presented = { right: keys[scope], 'wrong-scope': keys[scope === 'admin' ? 'analytics:read' : 'admin'], none: undefined, garbage: 'vk_AAAAAAAA.garbage' }[key];
          const headers: Record<string, string> = { ...(presented ? { authorization: `Bearer ${presented}` } : {}), ...(contentType ? { 'content-type': contentType } : {}) };
          const res = await h.app.request(`${url}${query.size ? `?${query}` : ''}`, { method: method.toUpperCase(), headers, ...(method === 'post' ? { body } : {}) });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, `${method.toUpperCase()} ${url}?${query} → ${text.slice(0, 300)}`).toBeLessThan(500);
          expect(text).not.toMatch(STACK);
        }),
        { numRuns: RUNS_PER_OPERATION },
      );
    }
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(`api fuzz: ${total} requests over ${operations.length} operations; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; 0 responses >= 500`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  }, 180_000);
});
