import { describe, expect, it } from 'vitest';
import { AjvArgumentSchemas } from '../../../src/adapters/json-schema/ajv-argument-schemas.js';
import type { ToolCallInteraction } from '../../../src/domain/model/interaction.js';
import type { ChannelTool, ToolRound } from '../../../src/domain/model/tool-call.js';
import type { Completion, CompletionModel, CompletionRequest } from '../../../src/domain/ports/completion-model.js';
import type { ToolAnswer, ToolRequest, ToolRunner } from '../../../src/domain/ports/tool-runner.js';
import { ReplyToMessage } from '../../../src/domain/use-cases/reply-to-message.js';
import { TOOL_ROUNDS_MAX } from '../../../src/domain/use-cases/tool-rounds.js';
import { replyHarness, testTokens } from '../../support/reply-harness.js';

const ORDER_STATUS: ChannelTool = {
  name: 'order_status',
  description: 'The status of an order',
  parameters: { type: 'object', properties: { order: { type: 'string', pattern: '^A\\d+$' } }, required: ['order'], additionalProperties: false },
  url: 'https://tools.example.com/order',
};

/** Answers every call as scripted (default: `{"status":"shipped"}`), advancing the clock by its latency, and keeps each request. */
class ScriptedToolRunner implements ToolRunner {
  readonly requests: ToolRequest[] = [];
  readonly answers: ToolAnswer[] = [];
  /** Runs while each call is being made (before its answer returns). */
  during: () => Promise<void> = async () => undefined;
  constructor(private readonly advance: (ms: number) => void) {}
  async call(request: ToolRequest): Promise<ToolAnswer> {
    this.requests.push(structuredClone(request));
    await this.during();
    this.advance(40);
    return this.answers.shift() ?? { outcome: 'ok', answer: '{"status":"shipped"}' };
  }
}

async function withTools(tools: ChannelTool[] = [ORDER_STATUS], model?: CompletionModel) {
  const h = replyHarness();
  const runner = new ScriptedToolRunner((ms) => h.clock.advance(ms));
  const useCase = new ReplyToMessage(h.store, model ?? h.model, h.channel, h.bus, h.clock, h.policy, testTokens(), h.transcriber, undefined, undefined, { runner, schemas: new AjvArgumentSchemas() });
  const asking = (text: string) => h.message({ text });
  const first = asking('hello');
  await h.store.saveChannelSettings({ accountId: first.accountId, tools, updatedAt: h.clock.now() });
  return { h, runner, useCase, asking };
}

const toolFacts = async (h: ReturnType<typeof replyHarness>) => (await h.published()).filter((fact): fact is ToolCallInteraction => fact.type === 'tool-call');

describe('tools the model calls', () => {
  it('calls the tool once, stores its answer before the model continues, and answers quoting it', async () => {
    const { h, runner, useCase, asking } = await withTools();
    const message = asking('Where is my order? [[tool:order_status {"order":"A17"}]]');
    const whileCalling: unknown[] = [];
    runner.during = async () => {
      whileCalling.push((await h.stored(message))?.toolRounds);
    };

    expect(await useCase.execute(message)).toMatchObject({ state: 'sent' });

    // Recorded before the request left.
    expect(whileCalling).toEqual([[expect.objectContaining({ calls: [expect.objectContaining({ state: 'calling', arguments: { order: 'A17' } })] })]]);
    expect(runner.requests).toEqual([{ tool: ORDER_STATUS, callId: expect.stringMatching(/^tc_[0-9a-f]{32}$/), conversationId: message.conversationId, arguments: { order: 'A17' } }]);
    expect(h.model.requests[0]!.tools?.map((tool) => tool.name)).toEqual(['order_status']);
    // The second completion sees the call and its answer as turns of their own, never in the system prompt.
    const second = h.model.requests[1]!;
    expect(second.turns.slice(-2)).toEqual([
      { role: 'assistant', content: '', toolCalls: [{ id: expect.any(String), name: 'order_status', arguments: { order: 'A17' } }] },
      { role: 'tool', toolCallId: expect.any(String), content: '{"status":"shipped"}' },
    ]);
    expect(second.systemPrompt).not.toContain('shipped');
    expect(h.channel.sent[0]!.reply.text).toContain('The tool order_status answered: {"status":"shipped"}');
    const stored = await h.stored(message);
    expect(stored!.toolRounds).toEqual([
      expect.objectContaining({ calls: [expect.objectContaining({ callId: runner.requests[0]!.callId, state: 'ok', answer: '{"status":"shipped"}', latencyMs: 40 })] }),
    ]);
    // Both completions are paid for (the scripted model counts 8 completion tokens for a call, a token per 4 characters of text).
    expect(stored!.reply!.usage.completion).toBe(8 + Math.ceil(h.channel.sent[0]!.reply.text.length / 4));
    expect(await toolFacts(h)).toEqual([expect.objectContaining({ tool: 'order_status', outcome: 'ok', latencyMs: 40, callId: runner.requests[0]!.callId, messageId: message.id })]);
  });

  it('does not make a call whose arguments its schema refuses, and tells the model why', async () => {
    const { h, runner, useCase, asking } = await withTools();

    await useCase.execute(asking('[[tool:order_status {"order":"17","extra":true}]]'));

    expect(runner.requests).toEqual([]);
    const told = JSON.parse(h.model.requests[1]!.turns.at(-1)!.content) as { error: string; detail: string };
    expect(told.error).toBe('tool_arguments_invalid');
    expect(told.detail).toMatch(/additional properties/);
    expect(await toolFacts(h)).toEqual([expect.objectContaining({ outcome: 'invalid', failureReason: 'tool_arguments_invalid' })]);
    expect(h.channel.sent).toHaveLength(1);
  });

  it('reports a call whose answer was lost as unknown to the model, and never makes it again', async () => {
    const { h, runner, useCase, asking } = await withTools();
    runner.answers.push({ outcome: 'unknown', reason: 'tool_outcome_unknown' });
    const message = asking('[[tool:order_status {"order":"A1"}]]');

    await useCase.execute(message);
    await useCase.execute(message);

    expect(runner.requests).toHaveLength(1);
    expect(JSON.parse(h.model.requests[1]!.turns.at(-1)!.content)).toMatchObject({ error: 'outcome_unknown' });
    expect(h.channel.sent).toHaveLength(1);
    expect(await toolFacts(h)).toEqual([expect.objectContaining({ outcome: 'unknown', failureReason: 'tool_outcome_unknown' })]);
  });

  it('resumes a delivery that died after the call: the stored answer is reused, a call without one is unknown, none is made again', async () => {
    const { h, runner, useCase, asking } = await withTools();
    const answered = asking('[[tool:order_status {"order":"A2"}]]');
    h.clock.advance(1);
    const abandoned = asking('[[tool:order_status {"order":"A3"}]]');
    // What a worker that died leaves behind: generating under a lease that ran out, the round stored.
    const died = async (message: typeof answered, call: ToolRound['calls'][number]) => {
      const { record } = await h.store.register(message, h.clock.now());
      const round: ToolRound = { model: 'scripted-echo-v1', usage: { prompt: 10, completion: 8 }, text: '', calls: [call] };
      await h.store.transition(message.conversationId, message.id, record.version, { state: 'generating', attempts: 1, leaseUntil: h.clock.now() + 1000, toolRounds: [round] });
    };
    const base = { modelCallId: 'call_1', name: 'order_status', startedAt: h.clock.now() };
    await died(answered, { ...base, callId: 'tc_answered', arguments: { order: 'A2' }, state: 'ok', answer: '{"status":"packed"}', latencyMs: 30 });
    await died(abandoned, { ...base, callId: 'tc_abandoned', arguments: { order: 'A3' }, state: 'calling' });
    h.clock.advance(h.policy.leaseMs);

    await useCase.execute(answered);
    await useCase.execute(abandoned);

    expect(runner.requests).toEqual([]);
    expect(h.channel.sent.map((sent) => sent.reply.text)).toEqual([expect.stringContaining('answered: {"status":"packed"}'), expect.stringContaining('outcome_unknown')]);
    expect((await h.stored(abandoned))!.toolRounds![0]!.calls[0]).toMatchObject({ state: 'unknown', reason: 'tool_outcome_unknown' });
    // The dead worker's completion is paid for too.
    expect((await h.stored(answered))!.reply!.usage.prompt).toBeGreaterThan(10);
  });

  it(`stops after ${TOOL_ROUNDS_MAX} rounds: the model then answers without tools`, async () => {
    const greedy = new GreedyModel();
    const { h, runner, useCase, asking } = await withTools([ORDER_STATUS], greedy);

    expect(await useCase.execute(asking('check everything'))).toMatchObject({ state: 'sent' });

    expect(runner.requests).toHaveLength(TOOL_ROUNDS_MAX);
    expect(new Set(runner.requests.map((r) => r.callId)).size).toBe(TOOL_ROUNDS_MAX);
    expect(greedy.requests.map((r) => r.tools?.length ?? 0)).toEqual([...Array.from({ length: TOOL_ROUNDS_MAX }, () => 1), 0]);
    expect(h.channel.sent[0]!.reply.text).toBe('done');
  });

  it('offers no tools when the channel lists none, and none without a tool kit', async () => {
    const none = await withTools([]);
    await none.useCase.execute(none.asking('[[tool:order_status {"order":"A1"}]]'));
    expect(none.h.model.requests[0]!.tools).toBeUndefined();

    const h = replyHarness();
    const bare = h.message({ text: '[[tool:order_status {"order":"A1"}]]' });
    await h.store.saveChannelSettings({ accountId: bare.accountId, tools: [ORDER_STATUS], updatedAt: h.clock.now() });
    await h.useCase.execute(bare);
    expect(h.model.requests[0]!.tools).toBeUndefined();
  });
});

/** Calls order_status whenever it is offered; answers "done" when it is not. */
class GreedyModel implements CompletionModel {
  readonly requests: CompletionRequest[] = [];
  async complete(request: CompletionRequest): Promise<Completion> {
    this.requests.push(structuredClone(request));
    const usage = { prompt: 10, completion: 5 };
    if (!request.tools?.length) return { text: 'done', model: 'scripted-echo-v1', usage };
    return { text: '', model: 'scripted-echo-v1', usage, toolCalls: [{ id: `call_${this.requests.length}`, name: 'order_status', arguments: { order: `A${this.requests.length}` } }] };
  }
}
