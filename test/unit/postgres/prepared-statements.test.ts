import { describe, expect, it } from 'vitest';
import { numbered, PreparedStatements, type Execute } from '../../../src/adapters/postgres/prepared-statements.js';
import type { SqlValue } from '../../../src/adapters/postgres/sql-fragment.js';

/** An Execute that records every statement sent, failing the texts it is told to. */
function aRecordingExecute(failing: (text: string) => boolean = () => false) {
  const sent: { text: string; params: readonly SqlValue[] }[] = [];
  const execute: Execute = async <Row>(text: string, params: readonly SqlValue[]) => {
    sent.push({ text, params });
    if (failing(text)) throw Object.assign(new Error('syntax error'), { code: '42601' });
    return [] as Row[];
  };
  return { sent, execute };
}

describe('PreparedStatements', () => {
  it('prepares a text once, with numbered parameters, and runs it by EXECUTE with its values from then on', async () => {
    const session = new PreparedStatements();
    const { sent, execute } = aRecordingExecute();
    await session.run('select * from t where a = ? and b = ?', ['x', 2], execute);
    await session.run('select * from t where a = ? and b = ?', ['y', 3], execute);
    expect(sent).toEqual([
      { text: 'prepare vocoeng_1 as select * from t where a = $1 and b = $2', params: [] },
      { text: 'execute vocoeng_1(?, ?)', params: ['x', 2] },
      { text: 'execute vocoeng_1(?, ?)', params: ['y', 3] },
    ]);
  });

  it('gives each text its own name and runs a statement without parameters without parentheses', async () => {
    const session = new PreparedStatements();
    const { sent, execute } = aRecordingExecute();
    await session.run('select 1', [], execute);
    await session.run('select ?', [1], execute);
    expect(sent.map((s) => s.text)).toEqual(['prepare vocoeng_1 as select 1', 'execute vocoeng_1', 'prepare vocoeng_2 as select $1', 'execute vocoeng_2(?)']);
  });

  it('runs a statement PREPARE does not accept (VACUUM, SET) as written, every time', async () => {
    const session = new PreparedStatements();
    const { sent, execute } = aRecordingExecute((text) => text.startsWith('prepare'));
    await session.run('vacuum (analyze) message_outbox', [], execute);
    await session.run('vacuum (analyze) message_outbox', [], execute);
    await session.run('  SET plan_cache_mode = auto', [], execute);
    await session.run('with x as (select 1) select * from x', [], execute).catch(() => undefined);
    expect(sent.map((s) => s.text)).toEqual(['vacuum (analyze) message_outbox', 'vacuum (analyze) message_outbox', '  SET plan_cache_mode = auto', 'prepare vocoeng_1 as with x as (select 1) select * from x']);
  });

  it('prepares a text once even when it is run twice at the same time', async () => {
    const session = new PreparedStatements();
    const { sent, execute } = aRecordingExecute();
    await Promise.all([session.run('select ?', [1], execute), session.run('select ?', [2], execute)]);
    expect(sent.filter((s) => s.text.startsWith('prepare'))).toHaveLength(1);
    expect(sent.filter((s) => s.text.startsWith('execute'))).toHaveLength(2);
  });

  it('rejects as the statement would when it cannot be prepared, never under a name that exists, and tries again next time', async () => {
    const session = new PreparedStatements();
    let broken = true;
    const { sent, execute } = aRecordingExecute((text) => broken && text.includes('broken'));
    await session.run('select ?', [1], execute);
    await expect(session.run('select broken ?', [1], execute)).rejects.toMatchObject({ code: '42601' });
    broken = false;
    await session.run('select broken ?', [1], execute);
    const prepares = sent.filter((s) => s.text.startsWith('prepare')).map((s) => s.text);
    expect(prepares).toEqual(['prepare vocoeng_1 as select $1', 'prepare vocoeng_2 as select broken $1', 'prepare vocoeng_3 as select broken $1']);
    expect(sent.at(-1)).toEqual({ text: 'execute vocoeng_3(?)', params: [1] });
  });

  it('runs texts as written once it holds 512, so statements built from values cannot grow it without bound', async () => {
    const session = new PreparedStatements();
    const { sent, execute } = aRecordingExecute();
    for (let i = 0; i < 513; i++) await session.run(`select ${i}`, [], execute);
    expect(sent.filter((s) => s.text.startsWith('prepare'))).toHaveLength(512);
    expect(sent.at(-1)).toEqual({ text: 'select 512', params: [] });
  });
});

describe('numbered', () => {
  it('numbers the placeholders in order and refuses the forms that are not placeholders', () => {
    expect(numbered('a = ? and b in (?, ?)')).toBe('a = $1 and b in ($2, $3)');
    expect(() => numbered('select ?? from t')).toThrow(/not placeholders/);
    expect(() => numbered("select '\\?'")).toThrow(/not placeholders/);
  });
});
