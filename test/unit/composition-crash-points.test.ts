import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config/config.js';
import { CrashSwitch, crashPlanOf } from '../../src/composition/crash-points.js';

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
