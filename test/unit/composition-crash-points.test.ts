import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config/config.js';
import { ScriptedCompletionModel } from '../../src/adapters/scripted/scripted-completion-model.js';
import { CrashSwitch, crashPlanOf, withCrashPoints } from '../../src/composition/crash-points.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { wire } from '../../src/composition/wiring.js';

describe('FAULT_CRASH_AT', () => {
  it('parses points with and without probabilities', () => {
    expect(crashPlanOf('after-claim,after-send:0.25,after-ack:1')).toEqual({ 'after-claim': 1, 'after-send': 0.25, 'after-ack': 1 });
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
