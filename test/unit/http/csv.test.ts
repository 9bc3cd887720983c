import { describe, expect, it } from 'vitest';
import { csvField, csvRow, csvStream, FULL_CSV_COLUMNS, withParticipantIds } from '../../../src/http/api/csv.js';
import type { ConversationSummary } from '../../../src/domain/model/analytics.js';

const aRow = (id: string): ConversationSummary => ({
  id,
  channel: 'api',
  accountId: 'default',
  participant: 'cu••••11',
  profileName: '=Ada, "the" first',
  lastDelivery: 'read',
  mode: 'bot',
  firstMessageAt: Date.UTC(2026, 0, 1),
  lastMessageAt: Date.UTC(2026, 0, 2),
  messagesIn: 3,
  messagesOut: 2,
  tokens: { prompt: 1200, completion: 80 },
  agentReplies: 4,
  toolCalls: 7,
  costUsd: 0.0125,
  costBreakdown: { aiUsd: 0.0025, whatsappUsd: 0.01 },
});

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@sum', "'@sum"],
  ])('writes %j as %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('leaves numbers as they are, negative ones included', () => {
    expect(csvField(-1.5)).toBe('-1.5');
  });
});

describe('csvStream', () => {
  it('emits the header and then one CRLF-terminated row per item, pulling rows lazily', async () => {
    let produced = 0;
    async function* rows() {
      for (let i = 0; i < 3; i++) {
        produced++;
        yield aRow(`c_${i}`);
      }
    }
    const stream = csvStream(rows(), () => undefined);
    expect(produced).toBe(0);
    const text = await new Response(stream).text();
    expect(text.split('\r\n')).toEqual([
      'conversation_id,channel,account_id,participant,profile_name,first_message_at,last_message_at,messages_in,messages_out,prompt_tokens,completion_tokens,cost_usd,ai_cost_usd,whatsapp_cost_usd,last_delivery,mode,agent_replies,tool_calls',
      csvRow(aRow('c_0')).trimEnd(),
      csvRow(aRow('c_1')).trimEnd(),
      csvRow(aRow('c_2')).trimEnd(),
      '',
    ]);
    expect(csvRow(aRow('c_0'))).toBe('c_0,api,default,cu••••11,"\'=Ada, ""the"" first",2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z,3,2,1200,80,0.0125,0.0025,0.01,read,bot,4,7\r\n');
  });

  it('reports a failure of the source and errors the stream instead of ending it as if complete', async () => {
    const seen: unknown[] = [];
    async function* rows() {
      yield aRow('c_0');
      throw new Error('database went away');
    }
    await expect(new Response(csvStream(rows(), (e) => seen.push(e))).text()).rejects.toThrow('database went away');
    expect(seen).toHaveLength(1);
  });
});

describe('withParticipantIds', () => {
  it('looks the whole ids up a hundred rows at a time, keeps the order, and leaves a gone conversation empty', async () => {
    async function* rows() {
      for (let i = 0; i < 250; i++) yield aRow(`c_${i}`);
    }
    const batches: number[] = [];
    const lookup = async (ids: string[]) => {
      batches.push(ids.length);
      return new Map(ids.filter((id) => id !== 'c_7').map((id) => [id, `+49${id.slice(2)}`]));
    };

    const out = [];
    for await (const row of withParticipantIds(rows(), lookup)) out.push(row);

    expect(batches).toEqual([100, 100, 50]);
    expect(out.map((r) => r.id)).toEqual(Array.from({ length: 250 }, (_, i) => `c_${i}`));
    expect(out[3]!.participantId).toBe('+493');
    expect(out[7]!.participantId).toBe('');
    expect(csvRow(out[3]!).split(',')).toHaveLength(FULL_CSV_COLUMNS.length + 1); // the profile name holds a quoted comma
    expect(csvRow(out[3]!).split(',').slice(3, 5)).toEqual(['cu••••11', "'+493"]);
  });
});
