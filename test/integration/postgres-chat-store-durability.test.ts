import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/adapters/postgres/database.js';
import { PostgresChatStore } from '../../src/adapters/postgres/postgres-chat-store.js';
import { isRetryable } from '../../src/domain/model/errors.js';
import { aConversation, aStatus, A_REPLY, T0 } from '../contract/chat-store.fixture.js';
import { aFreshDatabase } from '../support/databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';

describe('PostgresChatStore on PGlite with a data directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vocoeng-chat-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds every record, claim, pointer, setting and spend again when the database is closed and reopened', async () => {
    const message = aConversation()(T0);
    const outboundId = `out-${randomUUID()}`;
    const accountId = message.accountId;
    const settings = { accountId, systemPrompt: 'Be brief.', ratePerMinute: 5, updatedAt: T0 };
    let before: { record: unknown; conversation: unknown };
    {
      const db = await openDatabase({ embeddedDir: dir });
      const store = new PostgresChatStore(db.orm);
      const { record } = await store.register(message, T0);
      const answered = await store.transition(message.conversationId, message.id, record.version, { state: 'sent', reply: A_REPLY, outboundIds: [outboundId] });
      await store.applyStatus(aStatus(message, outboundId, 'delivered'));
      await store.saveChannelSettings(settings);
      await store.settleSpend(accountId, '2026-11-25', 'm-1', 0.25);
      expect(await store.reserveSpend(accountId, '2026-11-25', { key: 'm-2', usd: 0.5, until: T0 + 60_000 }, 1, T0)).toBe(true);
      before = { record: await store.findMessage(message.conversationId, message.id), conversation: await store.getConversation(message.conversationId) };
      expect(answered).not.toBeNull();
      await db.close();
    }

    const db = await openDatabase({ embeddedDir: dir });
    try {
      const store = new PostgresChatStore(db.orm);
      expect(before.record).toMatchObject({ state: 'sent', delivery: { status: 'delivered' } });
      expect(await store.findMessage(message.conversationId, message.id)).toEqual(before.record);
      expect(await store.findByOutboundId(outboundId)).toEqual(before.record);
      expect(await store.messages(message.conversationId, { limit: 10 })).toEqual([before.record]);
      expect(await store.getConversation(message.conversationId)).toEqual(before.conversation);
      expect(await store.register(message, T0 + 1)).toEqual({ created: false, record: before.record });
      expect(await store.channelSettings(accountId)).toEqual(settings);
      expect(await store.spendOf(accountId, '2026-11-25')).toBe(0.25);
      // The reservation held before the restart still counts until it expires.
      expect(await store.reserveSpend(accountId, '2026-11-25', { key: 'm-3', usd: 0.5, until: T0 + 60_000 }, 1, T0)).toBe(false);
    } finally {
      await db.close();
    }
  });
});

describe('PostgresChatStore when PostgreSQL is unreachable', () => {
  let direct: Database;
  let proxy: TcpProxy;
  let proxied: Database;
  beforeAll(async () => {
    direct = await aFreshDatabase('postgres');
    const url = new URL((direct as Database & { url: string }).url);
    proxy = new TcpProxy({ host: url.hostname, port: Number(url.port) });
    const host = await proxy.start();
    url.host = host;
    proxied = await openDatabase({ url: url.toString() }, { migrate: false });
  });
  afterAll(async () => {
    await proxy.heal();
    await proxied.close();
    await proxy.stop();
    await direct.close();
  });

  it('fails with a retryable chat_store_unavailable error during an outage, and works again once it heals', async () => {
    const store = new PostgresChatStore(proxied.orm);
    const message = aConversation()(T0);
    await store.register(message, T0);

    await proxy.outage('refuse');
    const errors = await Promise.all([
      store.findMessage(message.conversationId, message.id).then(() => undefined, (caught: unknown) => caught),
      store.register(aConversation()(T0), T0).then(() => undefined, (caught: unknown) => caught),
    ]);
    await proxy.heal();

    for (const error of errors) {
      expect(error).toMatchObject({ code: 'chat_store_unavailable', retryable: true });
      expect(isRetryable(error)).toBe(true);
    }
    expect(await store.findMessage(message.conversationId, message.id)).toMatchObject({ state: 'received', version: 1 });
  });
});
