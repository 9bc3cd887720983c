import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config/config.js';
import { InMemoryMessageBus } from '../../src/adapters/memory/in-memory-message-bus.js';
import { ScriptedCompletionModel } from '../../src/adapters/scripted/scripted-completion-model.js';
import { CrashSwitch, crashPlanOf, withCrashPoints } from '../../src/composition/crash-points.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { wire } from '../../src/composition/wiring.js';

describe('FAULT_CRASH_AT', () => {
  it('parses points with and without probabilities', () => {
    expect(crashPlanOf('after-claim,after-send:0.25,after-ack:1')).toEqual({ 'after-claim': 1, 'after-send': 0.25, 'after-ack': 1 });
  });

  it('accepts after-accept, the point of a process that listens', () => {
    expect(loadConfig({ ROLE: 'all', FAULT_CRASH_AT: 'after-accept:1' }).FAULT_CRASH_AT).toBe('after-accept:1');
    expect(crashPlanOf('after-accept,after-send:0.5')).toEqual({ 'after-accept': 1, 'after-send': 0.5 });
  });

  it.each(['after-lunch', 'after-claim:2', 'after-claim:-1', 'after-claim,', 'after-claim:0.5:1'])('is a configuration error when it is %j', (value) => {
    expect(() => loadConfig({ ROLE: 'all', FAULT_CRASH_AT: value })).toThrow(ConfigError);
  });

  it('does nothing at a point that is not planned or when the dice say no', () => {
    const never = new CrashSwitch({ 'after-send': 0.5 }, () => 0.5);
    expect(() => never.pass('after-send')).not.toThrow();
    expect(() => new CrashSwitch({}, () => 0).pass('after-claim')).not.toThrow();
  });
});

describe('withCrashPoints', () => {
  it('wraps only the ports the role binds, and a wrapped port still answers as its class', async () => {
    const model = new ScriptedCompletionModel();
    const wrapped = wire(withCrashPoints({ [TOKENS.CompletionModel]: () => model }, { 'after-model': 0 }));

    const resolved = wrapped.get(TOKENS.CompletionModel);

    expect(resolved).not.toBe(model);
    expect(resolved).toBeInstanceOf(ScriptedCompletionModel);
    expect((await resolved.complete({ systemPrompt: 's', turns: [{ role: 'user', content: 'hi' }], maxTokens: 10 })).text).toBeTruthy();
    // A listener binds no chat store, channel or handler: wrapping must not bind them.
    expect(([TOKENS.ChatStore, TOKENS.ReplyChannel, TOKENS.HandleInboundEvent] as const).map((token) => wrapped.has(token))).toEqual([false, false, false]);
  });
});

describe('withCrashPoints on the bus (after-accept)', () => {
  it('publishes through the wrapped bus, which still answers as its class and shares its state', async () => {
    const bus = new InMemoryMessageBus();
    const wrapped = wire(withCrashPoints({ [TOKENS.MessageBus]: () => bus }, { 'after-accept': 0 })).get(TOKENS.MessageBus);
    const handled: unknown[] = [];
    bus.subscribe('interactions', async ({ event }) => void handled.push(event));

    await wrapped.publish('interactions', [{ event: { type: 'test' } as never }]);
    await bus.idle();

    expect(wrapped).not.toBe(bus);
    expect(wrapped).toBeInstanceOf(InMemoryMessageBus);
    expect(wrapped.constructor.name).toBe('InMemoryMessageBus');
    expect(handled).toEqual([{ type: 'test' }]);
    // Closing through the wrapper closes the bus itself (not a copy of its state).
    await (wrapped as InMemoryMessageBus).close();
    await expect(bus.publish('interactions', [{ event: { type: 'late' } as never }])).rejects.toThrow(/closed/);
  });
});
