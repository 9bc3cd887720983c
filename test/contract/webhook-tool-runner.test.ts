import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../../src/adapters/webhook/standard-webhooks.js';
import { WebhookToolRunner } from '../../src/adapters/webhook/webhook-tool-runner.js';
import { TOOL_ANSWER_MAX_BYTES, type ChannelTool } from '../../src/domain/model/tool-call.js';
import { aFreePort } from '../support/ports.js';
import { aWebhookSecret } from '../support/signing.js';
import { ToolServer } from '../support/tool-server.js';

describe('WebhookToolRunner (against a tool server on loopback)', () => {
  const secret = aWebhookSecret();
  const runner = (allowed = ['127.0.0.1']) => new WebhookToolRunner({ secret, allowedHosts: new Set(allowed) });
  let server: ToolServer;
  beforeEach(async () => {
    server = new ToolServer();
    await server.start();
  });
  afterEach(async () => {
    await server.stop();
  });
  const tool = (url = `${server.url}/tools/order`): ChannelTool => ({ name: 'order_status', description: 'Order status', parameters: { type: 'object' }, url });
  const call = (overrides: Partial<ChannelTool> = {}, callId = 'tc_1') =>
    runner().call({ tool: { ...tool(), ...overrides }, callId, conversationId: 'c_1', arguments: { order: 'A17' } }, { timeoutMs: 2_000 });

  it('posts {tool, arguments, callId, conversationId} signed under webhook-id = callId, and gives back the JSON answer', async () => {
    server.next({ body: '{ "status" : "shipped",\n "eta": "2026-12-05" }' });

    expect(await call()).toEqual({ outcome: 'ok', answer: '{"status":"shipped","eta":"2026-12-05"}' });

    const [request] = server.requests;
    expect(request!.path).toBe('/tools/order');
    expect(request!.body).toEqual({ tool: 'order_status', arguments: { order: 'A17' }, callId: 'tc_1', conversationId: 'c_1' });
    const header = (name: string) => request!.headers[name] as string | undefined;
    const verified = verifyStandardWebhook(secret, { id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature') }, request!.rawBody, Math.floor(Date.now() / 1000));
    expect(verified).toMatchObject({ ok: true, id: 'tc_1' });
  });

  it('reports an answer lost after the request was read as unknown (never retried), and makes the request once', async () => {
    server.next('drop');

    expect(await call()).toEqual({ outcome: 'unknown', reason: 'tool_outcome_unknown' });
    expect(server.requests).toHaveLength(1);
  });

  it('reports a tool that does not answer within its timeout as unknown, once the request left', async () => {
    server.next('hang');

    const answer = await runner().call({ tool: tool(), callId: 'tc_2', conversationId: 'c_1', arguments: {} }, { timeoutMs: 300 });

    expect(answer).toEqual({ outcome: 'unknown', reason: 'tool_outcome_unknown' });
    expect(server.requests).toHaveLength(1);
  });

  it('fails, with the reason, on an error status, an answer over the size cap, an answer that is not JSON', async () => {
    server.next({ status: 503, body: '{"error":"down"}' }, { body: JSON.stringify({ blob: 'x'.repeat(TOOL_ANSWER_MAX_BYTES) }) }, { body: '<html>oops</html>' });

    expect(await call({}, 'tc_a')).toEqual({ outcome: 'failed', reason: 'tool_http_503' });
    expect(await call({}, 'tc_b')).toEqual({ outcome: 'failed', reason: 'tool_answer_too_large' });
    expect(await call({}, 'tc_c')).toEqual({ outcome: 'failed', reason: 'tool_answer_not_json' });
  });

  it('fails without a request on a refused connection, and refuses a private address that is not allowed', async () => {
    const closed = await aFreePort();
    expect(await call({ url: `http://127.0.0.1:${closed}/tool` })).toEqual({ outcome: 'failed', reason: 'tool_unreachable' });

    const strict = await runner([]).call({ tool: tool(), callId: 'tc_3', conversationId: 'c_1', arguments: {} }, { timeoutMs: 2_000 });
    expect(strict).toEqual({ outcome: 'failed', reason: 'tool_url_forbidden' });
    expect(server.requests).toHaveLength(0);
  });
});
