import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PostgresAnalyticsStore } from '../../src/adapters/postgres/postgres-analytics-store.js';
import { PostgresDeadLetterStore } from '../../src/adapters/postgres/postgres-dead-letter-store.js';
import { buildRole, type RoleRuntime } from '../../src/composition/role.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { anAnalyticsFixture, DAY, HOUR } from '../contract/analytics-store.fixture.js';
import { anInboundDeadLetter } from '../support/dead-letters.js';
import { aFreshDatabase } from '../support/databases.js';

describe('the api role retention sweep', () => {
  let runtime: RoleRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  // A fresh PGlite database and its migrations take several seconds on a busy machine.
  it('deletes dead letters and analytics facts older than their retention at start, and keeps the newer ones', { timeout: 60_000 }, async () => {
    const database = await aFreshDatabase('pglite');
    const analytics = new PostgresAnalyticsStore(database.orm);
    const deadLetters = new PostgresDeadLetterStore(database.orm);
    const now = Date.now();
    const f = anAnalyticsFixture(analytics);
    const fact = (daysAgo: number) => f.message({ receivedAt: now - daysAgo * DAY, occurredAt: now - daysAgo * DAY, conversationId: `c-${f.run}-${daysAgo}` });
    await f.recordAll([fact(12), fact(8)]);
    const oldLetter = (await deadLetters.add(anInboundDeadLetter({ deadLetteredAt: now - 6 * DAY }))).letter;
    const newLetter = (await deadLetters.add(anInboundDeadLetter({ deadLetteredAt: now - 4 * DAY }))).letter;

    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const config = loadConfig({ ROLE: 'api', PROJECT_ID: 'demo-project', PUSH_AUTH: 'none', DEAD_LETTER_RETENTION_DAYS: '5', ANALYTICS_RETENTION_DAYS: '10' });
    runtime = await buildRole(config, { logger: createLogger({ level: 'info', stream }), database });
    await runtime.prepare();
    runtime.start();

    const finished = await vi.waitFor(
      () => {
        const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((entry) => entry['message'] === 'retention sweep finished');
        if (!line) throw new Error('no sweep yet');
        return line;
      },
      { timeout: 10_000, interval: 50 },
    );

    expect(finished).toMatchObject({ severity: 'INFO', deadLetters: 1 });
    expect(finished['analyticsRows']).toBeGreaterThan(0);
    expect(await deadLetters.get(oldLetter.id)).toBeNull();
    expect(await deadLetters.get(newLetter.id)).toEqual(newLetter);
    const around = (daysAgo: number) => ({ from: now - daysAgo * DAY - HOUR, to: now - daysAgo * DAY + HOUR });
    expect((await analytics.summary(around(12))).messagesIn).toBe(0);
    expect((await analytics.summary(around(8))).messagesIn).toBe(1);
  });
});
