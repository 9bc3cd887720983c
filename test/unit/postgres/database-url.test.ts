import { describe, expect, it } from 'vitest';
import { describeDatabase, parseDatabaseUrl } from '../../../src/adapters/postgres/database-url.js';

describe('parseDatabaseUrl', () => {
  it('reads host, port, credentials and database from the TCP form', () => {
    expect(parseDatabaseUrl('postgres://vocoeng:p%40ss@db.internal:6543/app')).toEqual({ host: 'db.internal', port: 6543, user: 'vocoeng', password: 'p@ss', database: 'app' });
    expect(parseDatabaseUrl('postgresql://vocoeng@127.0.0.1/app')?.port).toBe(5432);
  });

  it('reads the socket directory of the Cloud SQL form, which is no WHATWG URL (credentials before an empty host)', () => {
    expect(parseDatabaseUrl('postgresql://vocoeng:pw@/vocoeng?host=/cloudsql/demo:europe-west1:vocoeng')).toEqual({
      host: '/cloudsql/demo:europe-west1:vocoeng',
      port: 5432,
      user: 'vocoeng',
      password: 'pw',
      database: 'vocoeng',
    });
    expect(parseDatabaseUrl('postgres:///app?host=/tmp/pg&port=6000&user=u')).toEqual({ host: '/tmp/pg', port: 6000, user: 'u', password: '', database: 'app' });
  });

  it.each([
    ['no host at all', 'postgresql://vocoeng:pw@/vocoeng'],
    ['a relative socket directory', 'postgresql://vocoeng:pw@/vocoeng?host=cloudsql/x'],
    ['another scheme', 'mysql://vocoeng:pw@db/app'],
    ['a bad port', 'postgres://vocoeng@/app?host=/tmp&port=99999'],
    ['no URL', 'not a url'],
  ])('refuses %s', (_case, url) => {
    expect(parseDatabaseUrl(url)).toBeUndefined();
  });

  it('describes a database without user or password', () => {
    const socket = parseDatabaseUrl('postgresql://vocoeng:s3cret@/vocoeng?host=/cloudsql/p:r:i');
    const tcp = parseDatabaseUrl('postgresql://vocoeng:s3cret@db:5433/vocoeng');

    expect(socket && describeDatabase(socket)).toBe('postgres:///vocoeng?host=/cloudsql/p:r:i');
    expect(tcp && describeDatabase(tcp)).toBe('postgres://db:5433/vocoeng');
  });
});
