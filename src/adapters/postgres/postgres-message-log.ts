import type { MikroORM } from '@mikro-orm/postgresql';
import type { DeliveryStatus } from '../../domain/model/delivery-status.js';
import type { InboundMessage } from '../../domain/model/message.js';
import { deliveryAfter, erasedRecord, newRecord, type MessagePatch, type MessageRecord } from '../../domain/model/message-record.js';
import type { ApplyStatusResult, MessageLog } from '../../domain/ports/message-log.js';
import type { SpendSettlement } from '../../domain/ports/spend-ledger.js';
import { ChatStoreUnavailableError } from '../chat-store-errors.js';
import { jsonb, participantKeyOf, query, recordOf, writtenNow, type RecordRow } from './postgres-chat-sql.js';
import { PostgresSpendLedger } from './postgres-spend-ledger.js';
import { EMPTY, sql, type Sql } from './sql-fragment.js';

/** Every patchable field: a field added to the model fails to compile here until it is listed. */
const PATCHABLE: ReadonlySet<string> = new Set(
  Object.keys({
    state: true,
    attempts: true,
    sendAttempts: true,
    leaseUntil: true,
    reply: true,
    outboundIds: true,
    delivery: true,
    failure: true,
    note: true,
    foldedInto: true,
    templateFallback: true,
    transcript: true,
    folded: true,
    recorded: true,
    resolved: true,
    windowTemplate: true,
    handoffRequest: true,
    toolRounds: true,
    updatedAt: true,
  } satisfies Record<keyof MessagePatch, true>),
);
/** applyStatus retries its compare-and-set this often when other statuses of the message race it. */
const MAX_STATUS_ATTEMPTS = 10;

interface ClaimRow extends Partial<RecordRow> {
  created: number;
  owner: string | null;
}

/**
 * The message log on PostgreSQL. The claim is one statement (insert … on conflict do nothing, then
 * the message and the conversation's counters from what it returned); every other write is an
 * UPDATE conditional on `version`, which PostgreSQL re-checks under the row lock. No transaction
 * spans a round trip: PGlite serves every connection through one session.
 */
export class PostgresMessageLog implements MessageLog {
  constructor(private readonly orm: MikroORM) {}

  async register(message: InboundMessage, now: number): Promise<{ created: boolean; record: MessageRecord }> {
    const { id, channel, accountId, conversationId } = message;
    const { version, ...body } = newRecord(message, now);
    const written = writtenNow();
    const [row] = await query<ClaimRow>(
      this.orm,
      'register',
      sql`with claim as (
          insert into chat_claim (channel, account_id, message_id, conversation_id, claimed_at)
          values (${channel}, ${accountId}, ${id}, ${conversationId}, ${written}) on conflict do nothing returning conversation_id
        ), inserted as (
          insert into chat_message (conversation_id, message_id, participant_key, received_at, sent_at, version, record, written_at)
          select conversation_id, ${id}, ${participantKeyOf(message)}, ${message.receivedAt}, ${message.sentAt}, ${version}, ${jsonb(body)}::jsonb, ${written}
          from claim on conflict do nothing returning conversation_id
        ), touched as (
          insert into chat_conversation as c (conversation_id, channel, account_id, participant, created_at, last_message_at, message_count, written_at)
          select conversation_id, ${channel}, ${accountId}, ${jsonb(message.participant)}::jsonb, ${now}, ${message.receivedAt}, 1, ${written} from inserted
          on conflict (conversation_id) do update set participant = c.participant || excluded.participant,
            created_at = least(c.created_at, excluded.created_at), last_message_at = greatest(c.last_message_at, excluded.last_message_at),
            message_count = c.message_count + 1, written_at = excluded.written_at
          returning 1
        )
        select (select count(*) from inserted)::int as created, owned.* from (select 1) as one
        left join (${claimedSql(message)}) as owned on true`,
    );
    if (row?.created === 1) return { created: true, record: { ...(JSON.parse(jsonb(body)) as Omit<MessageRecord, 'version'>), version } };
    if (row?.owner) return { created: false, record: storedOrErased(row, message, now) };
    // The claim we ran into was committed after this statement's snapshot: read it again.
    const [again] = await query<ClaimRow>(this.orm, 'register', claimedSql(message));
    if (!again?.owner) throw new ChatStoreUnavailableError(`message ${id} vanished while it was registered`);
    return { created: false, record: storedOrErased(again, message, now) };
  }

  async transition(conversationId: string, messageId: string, expectedVersion: number, patch: MessagePatch, settlement?: SpendSettlement): Promise<MessageRecord | null> {
    const { set, removedKeys } = patchParts(patch);
    const pointers = patch.outboundIds === undefined ? EMPTY : sql`, ${pointersSql(sql`${jsonb(patch.outboundIds)}::jsonb`)}`;
    const settled = settlement ? sql`, ${PostgresSpendLedger.settledWith(settlement)}` : EMPTY;
    const [row] = await query<RecordRow>(
      this.orm,
      'transition',
      sql`with updated as (
          update chat_message set record = (record || ${set}::jsonb) - ${removedKeys}::text[], version = version + 1, written_at = ${writtenNow()}
          where conversation_id = ${conversationId} and message_id = ${messageId} and version = ${expectedVersion}
          returning conversation_id, message_id, record, version, written_at
        )${pointers}${settled}
        select record, version from updated`,
    );
    return row ? recordOf(row) : null;
  }

  async findMessage(conversationId: string, messageId: string): Promise<MessageRecord | null> {
    const [row] = await query<RecordRow>(this.orm, 'findMessage', sql`select record, version from chat_message where conversation_id = ${conversationId} and message_id = ${messageId}`);
    return row ? recordOf(row) : null;
  }

  async findByOutboundId(outboundId: string): Promise<MessageRecord | null> {
    const [row] = await query<RecordRow>(this.orm, 'findByOutboundId', byOutboundIdSql(outboundId));
    return row ? recordOf(row) : null;
  }

  async history(conversationId: string, { before, limit }: { before: number; limit: number }): Promise<MessageRecord[]> {
    if (limit <= 0) return [];
    return newestOf(this.orm, 'history', conversationId, sql`and received_at < ${before}`, limit);
  }

  async applyStatus(status: DeliveryStatus): Promise<ApplyStatusResult> {
    for (let attempt = 0; attempt < MAX_STATUS_ATTEMPTS; attempt++) {
      const [row] = await query<RecordRow>(this.orm, 'applyStatus', byOutboundIdSql(status.outboundId));
      if (!row) return 'unknown';
      const record = recordOf(row);
      const { result, delivery } = deliveryAfter(record.delivery, status);
      if (!delivery) return result;
      if (await this.transition(record.message.conversationId, record.message.id, record.version, { delivery })) return result;
    }
    throw new ChatStoreUnavailableError(`delivery status for ${status.outboundId} lost ${MAX_STATUS_ATTEMPTS} races in a row`);
  }
}

/**
 * A patch as `update chat_message` applies it: the JSON of the fields it sets, and the fields it
 * removes as a text[] literal (field names are identifiers), so every patch has one statement text
 * (prepared once on PGlite).
 */
export function patchParts(patch: MessagePatch): { set: string; removedKeys: string } {
  const set: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (!PATCHABLE.has(field)) continue;
    if (value === undefined) removed.push(field);
    else set[field] = value;
  }
  return { set: jsonb(set), removedKeys: `{${removed.join(',')}}` };
}

/** The CTE that points each outbound id of `ids` (a jsonb array) at the message the CTE `updated` returned. */
export const pointersSql = (ids: Sql): Sql =>
  sql`pointers as (
    insert into chat_outbound (outbound_id, conversation_id, message_id, written_at)
    select outbound_id, u.conversation_id, u.message_id, u.written_at from updated as u, jsonb_array_elements_text(${ids}) as outbound_id
    on conflict (outbound_id) do update set conversation_id = excluded.conversation_id, message_id = excluded.message_id, written_at = excluded.written_at
  )`;

/** The newest `limit` messages of the conversation matching `where`, returned oldest first. */
export async function newestOf(orm: MikroORM, operation: string, conversationId: string, where: Sql, limit: number): Promise<MessageRecord[]> {
  const rows = await query<RecordRow>(
    orm,
    operation,
    sql`select record, version from chat_message where conversation_id = ${conversationId} ${where}
      order by received_at desc, sent_at desc, message_id desc limit ${Math.floor(limit)}`,
  );
  return rows.map(recordOf).reverse();
}

/** The claim of the message (by channel, account and id) and the message it points at, if still stored. */
const claimedSql = (message: InboundMessage): Sql =>
  sql`select claim.conversation_id as owner, m.record, m.version from chat_claim as claim
    left join chat_message as m on m.conversation_id = claim.conversation_id and m.message_id = claim.message_id
    where claim.channel = ${message.channel} and claim.account_id = ${message.accountId} and claim.message_id = ${message.id}`;

const byOutboundIdSql = (outboundId: string): Sql =>
  sql`select m.record, m.version from chat_outbound as o
    join chat_message as m on m.conversation_id = o.conversation_id and m.message_id = o.message_id
    where o.outbound_id = ${outboundId}`;

/** The stored record the claim points at, or, for a message erased since, the skip `register` answers. */
function storedOrErased(row: ClaimRow, message: InboundMessage, now: number): MessageRecord {
  return row.record !== null && row.record !== undefined && row.version !== null && row.version !== undefined
    ? recordOf({ record: row.record, version: row.version })
    : erasedRecord(message, now);
}

