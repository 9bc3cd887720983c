import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/postgres/database.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { conversationIdFor, userKeyFor } from '../../src/domain/model/ids.js';
import { maskedParticipant } from '../../src/domain/model/masked-participant.js';
import type { MessageInteraction } from '../../src/domain/model/interaction.js';
import { aMessage } from '../support/builders.js';
import { aFreshDatabase, DATABASE_KINDS } from '../support/databases.js';
import { roleHarness, type RoleHarness } from '../support/role-harness.js';

type Operation = { 'x-required-scope'?: string; parameters?: { name: string; in: string; required?: boolean }[]; responses: Record<string, unknown> };
type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };

const HOUR = 3600 * 1000;
const TOOL = { name: 'order_status', description: 'The status of an order', parameters: { type: 'object', properties: { orderNumber: { type: 'string' } } }, url: 'https://shop.example.com/tools/order-status', timeoutMs: 5000 };
const DOC_ID = 'https://vocoeng.test/openapi.json';
const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

for (const kind of DATABASE_KINDS) {
  describe(`The analytics API on ${kind}`, () => {
    let database: Database;
    let h: RoleHarness;
    let document: OpenApiDocument;
    const keys: Record<'reader' | 'writer' | 'admin' | 'revoked', string> = { reader: '', writer: '', admin: '', revoked: '' };
    const keyFor = (scope: string | undefined) => (scope === 'admin' ? keys.admin : scope === 'conversations:write' ? keys.writer : keys.reader);
    /** A conversation of its own for the handoff routes (the erasure route erases the other), taken over by a person. */
    const handedOver = conversationIdFor('whatsapp', 'phone-1', `+4916${Math.floor(Math.random() * 1e8)}`);
    const participant = `+4917${Math.floor(Math.random() * 1e8)}`;
    const conversationId = conversationIdFor('whatsapp', 'phone-1', participant);

    beforeAll(async () => {
      database = await aFreshDatabase(kind);
      h = await roleHarness({ database });
      const apiKeys = h.runtime.container.get(TOKENS.ApiKeyStore);
      keys.reader = (await apiKeys.create({ name: 'reader', scopes: ['analytics:read'] }, h.clock.now())).secret;
      keys.admin = (await apiKeys.create({ name: 'admin', scopes: ['admin'] }, h.clock.now())).secret;
      keys.writer = (await apiKeys.create({ name: 'writer', scopes: ['conversations:write'] }, h.clock.now())).secret;
      const revoked = await apiKeys.create({ name: 'revoked', scopes: ['analytics:read', 'admin'] }, h.clock.now());
      await apiKeys.revoke(revoked.info.id, h.clock.now());
      keys.revoked = revoked.secret;
      document = (await (await h.app.request('/openapi.json')).json()) as OpenApiDocument;
    }, 60_000);
    afterAll(async () => {
      await database?.close();
    });

    /** One participant's message stored in the chat store and recorded as an analytics fact. */
    async function seedParticipant(who = participant, accountId = 'phone-1'): Promise<MessageInteraction> {
      const message = aMessage({ channel: 'whatsapp', accountId, participant: { id: who, name: 'Ada' }, receivedAt: h.clock.now() - HOUR });
      await h.chatStore.register(message, h.clock.now());
      const event: MessageInteraction = {
        type: 'message',
        eventId: `message:whatsapp:${message.id}`,
        occurredAt: message.receivedAt,
        channel: 'whatsapp',
        accountId,
        conversationId: message.conversationId,
        userKey: userKeyFor('whatsapp', accountId, who),
        messageId: message.id,
        messageType: 'text',
        receivedAt: message.receivedAt,
        outcome: 'sent',
        replyKind: 'ai',
        usage: { prompt: 10, completion: 5 },
        costUsd: 0.002,
        latencyMs: 900,
      };
      await h.runtime.container.get(TOKENS.AnalyticsStore).record(event);
      return event;
    }

    const call = (method: string, path: string, key: string | null, body?: unknown) =>
      h.app.request(path, {
        method: method.toUpperCase(),
        headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    /** A request each documented operation must answer with its documented success. */
    function validRequestFor(path: string, method: string): { url: string; body?: unknown } {
      if (path.endsWith('/handoff')) return { url: path.replace('{id}', handedOver), body: { action: 'take', agent: 'Grace' } };
      if (path.endsWith('/replies')) return { url: path.replace('{id}', handedOver), body: { text: 'Hi, Grace here.' } };
      const url = path.replace('{id}', conversationId).replace('{accountId}', 'phone-1');
      if (method === 'post') return { url, body: { channel: 'whatsapp', accountId: 'phone-1', participantId: `+4930${Date.now()}` } };
      if (method === 'put') return { url, body: { systemPrompt: 'You answer for the bakery.', temperature: 0.2, windowTemplate: { name: 'follow_up', language: 'en' }, tools: [TOOL] } };
      const query = path.endsWith('/timeseries') ? '?metric=messagesIn&interval=hour' : '';
      return { url: `${url}${query}` };
    }

    const operations = () =>
      Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
    const secured = () => operations().filter(({ operation }) => operation['x-required-scope']);

    it('serves an OpenAPI 3.1 document that validates, documenting every /api/v1 route', async () => {
      const result = await new Validator().validate(document as never);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(document.openapi).toBe('3.1.0');
      expect(secured().map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual([
        'GET /api/v1/analytics/summary',
        'GET /api/v1/analytics/timeseries',
        'GET /api/v1/channels/{accountId}/settings',
        'GET /api/v1/conversations',
        'GET /api/v1/conversations/{id}/messages',
        'GET /api/v1/export/conversations.csv',
        'GET /api/v1/handoff/waiting',
        'POST /api/v1/conversations/{id}/handoff',
        'POST /api/v1/conversations/{id}/replies',
        'POST /api/v1/erasures',
        'PUT /api/v1/channels/{accountId}/settings',
      ]);
    });

    it('answers 401 on every secured route without a key, with a malformed header, and with a revoked key', async () => {
      for (const { path, method } of secured()) {
        const { url, body } = validRequestFor(path, method);
        for (const key of [null, 'not-a-key', keys.revoked]) {
          const res = await call(method, url, key, body);
          expect(res.status, `${method} ${url} with ${key === null ? 'no key' : 'a bad key'}`).toBe(401);
          expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
        }
      }
    });

    it('answers 403 on every secured route with a key of the other scope', async () => {
      for (const { path, method, operation } of secured()) {
        const { url, body } = validRequestFor(path, method);
        const wrong = operation['x-required-scope'] === 'analytics:read' ? keys.admin : keys.reader;
        const res = await call(method, url, wrong, body);
        expect(res.status, `${method} ${url}`).toBe(403);
        expect(await res.json()).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining(operation['x-required-scope']!) } });
      }
    });

    it('answers every secured route as documented: a documented status, a body matching its schema, no-store and secure headers', async () => {
      const seeded = await seedParticipant();
      // Tool calls in the transcript: one answered, one whose answer was lost (the nulls are documented too).
      const record = (await h.chatStore.findMessage(seeded.conversationId, seeded.messageId))!;
      const toolCall = { modelCallId: 'call_1', name: TOOL.name, arguments: { orderNumber: '123456' }, startedAt: h.clock.now() - HOUR };
      const calls = [{ ...toolCall, callId: 'tc_1', state: 'ok' as const, latencyMs: 30, answer: '{"status":"shipped"}' }, { ...toolCall, callId: 'tc_2', state: 'unknown' as const, reason: 'tool_outcome_unknown' as const }];
      await h.chatStore.transition(seeded.conversationId, seeded.messageId, record.version, { toolRounds: [{ model: 'gpt-4o-mini', usage: { prompt: 5, completion: 1 }, text: '', calls }] });
      const handoffMessage = aMessage({ channel: 'whatsapp', accountId: 'phone-1', receivedAt: h.clock.now() - HOUR });
      await h.chatStore.register({ ...handoffMessage, conversationId: handedOver }, h.clock.now());
      await h.chatStore.replaceHandoff(handedOver, 0, { mode: 'human', agent: 'Grace', since: h.clock.now() });
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats.default(ajv);
      ajv.addSchema({ ...document, $id: DOC_ID });
      for (const { path, method, operation } of secured()) {
        const { url, body } = validRequestFor(path, method);
        const res = await call(method, url, keyFor(operation['x-required-scope']), body);
        expect(Object.keys(operation.responses), `${method} ${url}`).toContain(String(res.status));
        // Each route's documented success: 200, or 202 for what is accepted for later (an agent reply).
        const success = Object.keys(operation.responses).find((status) => status.startsWith('2'))!;
        expect(res.status, `${method} ${url}`).toBe(Number(success));
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
        const [mediaType] = Object.keys((operation.responses[success] as { content: Record<string, unknown> }).content);
        expect(res.headers.get('content-type')).toContain(mediaType);
        if (mediaType !== 'application/json') continue;
        const validate = ajv.getSchema(`${DOC_ID}#/${pointer('paths', path, method, 'responses', success, 'content', 'application/json', 'schema')}`)!;
        const json = await res.json();
        expect(validate(json), `${method} ${url}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    });

    it.each([
      ['/api/v1/analytics/summary?from=yesterday', 'from must be an ISO 8601 time or epoch milliseconds'],
      ['/api/v1/analytics/summary?to=1e9', 'to must be an ISO 8601 time or epoch milliseconds'],
      ['/api/v1/analytics/summary?channel=sms', 'channel'],
      ['/api/v1/analytics/summary?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', 'from must not be after to'],
      ['/api/v1/analytics/summary?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'must not exceed 366 days'],
      ['/api/v1/analytics/timeseries', 'metric'],
      ['/api/v1/analytics/timeseries?metric=revenue', 'metric'],
      ['/api/v1/analytics/timeseries?metric=messagesIn&interval=week', 'interval'],
      ['/api/v1/analytics/timeseries?metric=messagesIn&interval=hour&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z', 'at most 744 points'],
      ['/api/v1/conversations?limit=0', 'limit must be an integer from 1 to 200'],
      ['/api/v1/conversations?limit=201', 'limit must be an integer from 1 to 200'],
      ['/api/v1/conversations?limit=ten', 'limit must be an integer from 1 to 200'],
      ['/api/v1/conversations?limit=2.5', 'limit must be an integer from 1 to 200'],
      [`/api/v1/conversations?cursor=${'x'.repeat(600)}`, 'cursor'],
      ['/api/v1/conversations?cursor=bm90LWEtY3Vyc29y', 'cursor is not valid'],
      ['/api/v1/conversations/..%2F..%2Fetc/messages', 'id must be a conversation id'],
      ['/api/v1/export/conversations.csv?from=nope', 'from must be an ISO 8601 time'],
      ['/api/v1/analytics/timeseries?metric=messagesIn&tz=Mars/Olympus', 'tz must be an IANA time zone such as Europe/Berlin'],
    ])('answers 400 naming the problem when GET %s', async (url, reason) => {
      const res = await call('get', url, keys.reader);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.message).toContain(reason);
    });

    it('streams the CSV export with a header row and one row per conversation in the range', async () => {
      const first = await seedParticipant(`+4411${Date.now()}`, 'phone-csv');
      const second = await seedParticipant(`+4412${Date.now()}`, 'phone-csv');
      const res = await call('get', `/api/v1/export/conversations.csv?from=${h.clock.now() - 2 * HOUR}&to=${h.clock.now()}`, keys.reader);
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="conversations.csv"');
      const lines = (await res.text()).split('\r\n');
      expect(lines[0]).toBe('conversation_id,channel,account_id,participant,profile_name,first_message_at,last_message_at,messages_in,messages_out,prompt_tokens,completion_tokens,cost_usd,ai_cost_usd,whatsapp_cost_usd,last_delivery,mode,agent_replies,tool_calls');
      expect(lines.at(-1)).toBe('');
      const rows = lines.slice(1, -1).map((line) => line.split(','));
      for (const event of [first, second]) {
        const row = rows.find((r) => r[0] === event.conversationId);
        expect(row).toEqual([event.conversationId, 'whatsapp', 'phone-csv', '', '', new Date(event.receivedAt).toISOString(), new Date(event.receivedAt).toISOString(), '1', '1', '10', '5', '0.002', '0.002', '0', '', 'bot', '0', '0']);
      }
    });

    it('exports whole numbers only to an admin key that asks, as a participant_id column beside the masked one, and logs who asked', async () => {
      const who = `+4413${Date.now()}`;
      const event = await seedParticipant(who, 'phone-full');
      // A conversation the analytics still hold but the chat store no longer does: its id is left empty.
      const gone = { ...event, eventId: `${event.eventId}-gone`, messageId: `${event.messageId}-gone`, conversationId: `${event.conversationId}-gone` };
      await h.runtime.container.get(TOKENS.AnalyticsStore).record(gone);
      const url = `/api/v1/export/conversations.csv?from=${h.clock.now() - 2 * HOUR}&to=${h.clock.now()}&participant=full`;

      const refused = await call('get', url, keys.reader);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('admin');
      const masked = await (await call('get', url.replace('&participant=full', ''), keys.reader)).text();
      expect(masked).not.toContain(who.slice(1));

      const both = (await h.runtime.container.get(TOKENS.ApiKeyStore).create({ name: 'exporter', scopes: ['analytics:read', 'admin'] }, h.clock.now())).secret;
      const lines = (await (await call('get', url, both)).text()).split('\r\n');
      expect(lines[0]!.split(',').slice(0, 6)).toEqual(['conversation_id', 'channel', 'account_id', 'participant', 'participant_id', 'profile_name']);
      const rows = lines.slice(1, -1).map((line) => line.split(','));
      expect(rows.find((r) => r[0] === event.conversationId)?.slice(3, 5)).toEqual(['', `'${who}`]);
      expect(rows.find((r) => r[0] === gone.conversationId)?.[4]).toBe('');
      expect(rows.every((r) => r.length === lines[0]!.split(',').length)).toBe(true);
      const logged = JSON.stringify(h.logs());
      expect(logged).toContain('participants exported in full');
      expect(logged).not.toContain(who.slice(1));
    });

    it("masks the participant in a transcript, and shows the whole number only to an admin key that asks", async () => {
      await seedParticipant();
      const path = `/api/v1/conversations/${conversationId}/messages`;
      const masked = (await (await call('get', path, keys.reader)).json()) as { conversation: { participant: { id: string } } };
      expect(masked.conversation.participant.id).toBe(maskedParticipant('whatsapp', participant));
      expect(JSON.stringify(masked)).not.toContain(participant.slice(1));

      const refused = await call('get', `${path}?participant=full`, keys.reader);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('admin');

      // The route needs analytics:read; showing the whole number needs admin as well.
      const both = (await h.runtime.container.get(TOKENS.ApiKeyStore).create({ name: 'privacy officer', scopes: ['analytics:read', 'admin'] }, h.clock.now())).secret;
      const full = (await (await call('get', `${path}?participant=full`, both)).json()) as { conversation: { participant: { id: string } } };
      expect(full.conversation.participant.id).toBe(participant);
    });

    it('pages through a transcript oldest first, every message once, with a cursor to the next page', async () => {
      const who = `+4915${Date.now()}`;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const message = aMessage({ channel: 'whatsapp', accountId: 'phone-1', participant: { id: who, name: 'Ada' }, receivedAt: h.clock.now() - HOUR + i * 1000, sentAt: h.clock.now() - HOUR + i * 1000 });
        await h.chatStore.register(message, h.clock.now());
        ids.push(message.id);
      }
      const id = conversationIdFor('whatsapp', 'phone-1', who);

      const walked: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await call('get', `/api/v1/conversations/${id}/messages?limit=2${cursor ? `&cursor=${cursor}` : ''}`, keys.reader);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { messages: { id: string; role: string }[]; nextCursor: string | null };
        expect(body.messages.length).toBeLessThanOrEqual(2);
        expect(body.messages.every((m) => m.role === 'user')).toBe(true);
        walked.push(...body.messages.map((m) => m.id));
        cursor = body.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);

      expect(pages).toBe(3);
      expect(walked).toEqual(ids);
      const res = await call('get', `/api/v1/conversations/${id}/messages?cursor=${Buffer.from('[1,2]').toString('base64url')}`, keys.reader);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('cursor is not valid');
      expect((await call('get', `/api/v1/conversations/${id}/messages?limit=201`, keys.reader)).status).toBe(400);
    });

    it('erases one participant from the chat store and the analytics, ignoring extra fields, and erasing again deletes nothing', async () => {
      const who = `+3312${Date.now()}`;
      const event = await seedParticipant(who);
      const bystander = await seedParticipant(`+3313${Date.now()}`);

      const res = await call('post', '/api/v1/erasures', keys.admin, { channel: 'whatsapp', accountId: 'phone-1', participantId: who, conversationId: bystander.conversationId, userKey: bystander.userKey });

      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ conversationIds: [event.conversationId], messages: 1, deadLetters: 0, interactions: 1, statuses: 0 });
      expect((await call('get', `/api/v1/conversations/${event.conversationId}/messages`, keys.reader)).status).toBe(404);
      expect((await call('get', `/api/v1/conversations/${bystander.conversationId}/messages`, keys.reader)).status).toBe(200);
      const ids = async () => ((await (await call('get', `/api/v1/conversations?limit=200&from=${h.clock.now() - 2 * HOUR}`, keys.reader)).json()) as { items: { id: string }[] }).items.map((i) => i.id);
      expect(await ids()).not.toContain(event.conversationId);
      expect(await ids()).toContain(bystander.conversationId);
      const again = await call('post', '/api/v1/erasures', keys.admin, { channel: 'whatsapp', accountId: 'phone-1', participantId: who });
      expect(await again.json()).toEqual({ conversationIds: [], messages: 0, deadLetters: 0, interactions: 0, statuses: 0 });
    });

    it('answers 400 and erases nothing when the erasure body is incomplete or not JSON', async () => {
      const event = await seedParticipant(`+3314${Date.now()}`);
      for (const body of [{ channel: 'whatsapp', participantId: 'x' }, { channel: 'sms', accountId: 'phone-1', participantId: 'x' }, { channel: 'whatsapp', accountId: 'phone-1' }]) {
        const res = await call('post', '/api/v1/erasures', keys.admin, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
      const notJson = await h.app.request('/api/v1/erasures', { method: 'POST', headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'text/plain' }, body: 'participantId=x' });
      expect(notJson.status).toBe(415);
      expect(await notJson.json()).toEqual({ error: { code: 'unsupported_media_type', message: 'the body must be application/json' } });
      const malformed = await h.app.request('/api/v1/erasures', { method: 'POST', headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' }, body: '{"channel":' });
      expect(malformed.status).toBe(400);
      expect((await call('get', `/api/v1/conversations/${event.conversationId}/messages`, keys.reader)).status).toBe(200);
    });

    it('serves Swagger UI at /docs from this origin only', async () => {
      const page = await h.app.request('/docs');
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
      expect(html).not.toMatch(/https?:\/\//);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      for (const asset of ['/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css', '/docs/assets/init.js']) {
        expect((await h.app.request(asset)).status, asset).toBe(200);
      }
      expect((await h.app.request('/docs/assets/..%2Fpackage.json')).status).toBe(404);
    });

    it('keeps every key it creates out of the database in plaintext', async () => {
      const rows = await database.orm.em.fork().getConnection().execute<Record<string, unknown>[]>('select * from api_key');
      const dump = JSON.stringify(rows);
      expect(rows.length).toBeGreaterThanOrEqual(3);
      for (const key of Object.values(keys)) expect(dump).not.toContain(key.split('.')[1]);
    });
  });
}

