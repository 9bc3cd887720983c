import type { MikroORM } from '@mikro-orm/postgresql';
import type { AgentReply, AgentReplyPatch } from '../../domain/model/agent-reply.js';
import type { AgentReplyLog } from '../../domain/ports/agent-reply-log.js';
import { ChatStoreUnavailableError } from '../chat-store-errors.js';
import { agentReplyChanges } from '../codec/agent-reply-patch.js';
import { agentReplySchema } from '../codec/chat-schemas.js';
import { decodeRow, jsonb, query, writtenNow } from './postgres-chat-sql.js';
import { EMPTY, sql } from './sql-fragment.js';

/** A stored agent reply row: its JSONB reply (without `version`) and its version column. */
interface ReplyRow {
  reply: unknown;
  version: number;
}

/**
 * Agent replies on PostgreSQL, `chat_agent_reply` (M014), written like messages: added with
 * `insert … on conflict do nothing`, moved on by an UPDATE conditional on `version`; the
 * transcript's range reads follow the (conversation, creation time, id) index.
 */
export class PostgresAgentReplyLog implements AgentReplyLog {
  constructor(private readonly orm: MikroORM) {}

  async addAgentReply(reply: AgentReply): Promise<{ created: boolean; reply: AgentReply }> {
    const { version, ...body } = reply;
    const [row] = await query<ReplyRow & { created: boolean }>(
      this.orm,
      'addAgentReply',
      sql`with inserted as (
          insert into chat_agent_reply (conversation_id, reply_id, created_at, version, reply, written_at)
          values (${reply.conversationId}, ${reply.id}, ${reply.createdAt}, ${version}, ${jsonb(body)}::jsonb, ${writtenNow()})
          on conflict do nothing returning reply, version
        )
        select true as created, reply, version from inserted
        union all
        select false, reply, version from chat_agent_reply
        where conversation_id = ${reply.conversationId} and reply_id = ${reply.id} and not exists (select 1 from inserted)`,
    );
    if (row) return { created: row.created, reply: replyOf(row) };
    // The reply we ran into was committed after this statement's snapshot: read it again.
    const stored = await this.findAgentReply(reply.conversationId, reply.id);
    if (!stored) throw new ChatStoreUnavailableError(`agent reply ${reply.id} vanished while it was added`);
    return { created: false, reply: stored };
  }

  async transitionAgentReply(conversationId: string, id: string, expectedVersion: number, patch: AgentReplyPatch): Promise<AgentReply | null> {
    const { set, removed } = agentReplyChanges(patch);
    const [row] = await query<ReplyRow>(
      this.orm,
      'transitionAgentReply',
      sql`update chat_agent_reply set reply = (reply || ${jsonb(set)}::jsonb) - ${`{${removed.join(',')}}`}::text[],
          created_at = coalesce((${jsonb(set)}::jsonb ->> 'createdAt')::float8, created_at), version = version + 1, written_at = ${writtenNow()}
        where conversation_id = ${conversationId} and reply_id = ${id} and version = ${expectedVersion}
        returning reply, version`,
    );
    return row ? replyOf(row) : null;
  }

  async findAgentReply(conversationId: string, id: string): Promise<AgentReply | null> {
    const [row] = await query<ReplyRow>(this.orm, 'findAgentReply', sql`select reply, version from chat_agent_reply where conversation_id = ${conversationId} and reply_id = ${id}`);
    return row ? replyOf(row) : null;
  }

  async agentReplies(conversationId: string, { from, to, limit }: { from?: number; to?: number; limit: number }): Promise<AgentReply[]> {
    if (limit <= 0) return [];
    const rows = await query<ReplyRow>(
      this.orm,
      'agentReplies',
      sql`select reply, version from chat_agent_reply where conversation_id = ${conversationId}
        ${from === undefined ? EMPTY : sql`and created_at >= ${from}`} ${to === undefined ? EMPTY : sql`and created_at < ${to}`}
        order by created_at, reply_id limit ${Math.floor(limit)}`,
    );
    return rows.map(replyOf);
  }
}

const replyOf = (row: ReplyRow): AgentReply => decodeRow(agentReplySchema, 'chat_agent_reply', { ...(row.reply as object), version: Number(row.version) });
