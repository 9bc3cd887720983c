import type { MikroORM } from '@mikro-orm/postgresql';
import type { ChannelSettings } from '../../domain/model/channel-settings.js';
import type { ChannelSettingsStore } from '../../domain/ports/channel-settings-store.js';
import { channelSettingsSchema } from '../codec/chat-schemas.js';
import { decodeRow, jsonb, query } from './postgres-chat-sql.js';
import { sql } from './sql-fragment.js';

/** Channel settings on PostgreSQL: one JSONB row per account (byte-ordered key), replaced whole on save. */
export class PostgresChannelSettingsStore implements ChannelSettingsStore {
  constructor(private readonly orm: MikroORM) {}

  async channelSettings(accountId: string): Promise<ChannelSettings | null> {
    const [row] = await query<{ settings: unknown }>(this.orm, 'channelSettings', sql`select settings from chat_channel where account_id = ${accountId}`);
    return row ? decodeRow(channelSettingsSchema, 'chat_channel', row.settings) : null;
  }

  async listChannelSettings(): Promise<ChannelSettings[]> {
    const rows = await query<{ settings: unknown }>(this.orm, 'listChannelSettings', sql`select settings from chat_channel order by account_id`);
    return rows.map((row) => decodeRow(channelSettingsSchema, 'chat_channel', row.settings));
  }

  async saveChannelSettings(settings: ChannelSettings): Promise<void> {
    await query(
      this.orm,
      'saveChannelSettings',
      sql`insert into chat_channel (account_id, settings) values (${settings.accountId}, ${jsonb(settings)}::jsonb)
        on conflict (account_id) do update set settings = excluded.settings`,
    );
  }
}
