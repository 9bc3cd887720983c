import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('retention settings', () => {
  it('keeps transcripts 90 days, dead letters 30 and analytics facts 400 when nothing is set', () => {
    const config = loadConfig({ ROLE: 'all' });

    expect({ chat: config.CHAT_RETENTION_DAYS, deadLetters: config.DEAD_LETTER_RETENTION_DAYS, analytics: config.ANALYTICS_RETENTION_DAYS }).toEqual({
      chat: 90,
      deadLetters: 30,
      analytics: 400,
    });
  });

  it('reads each retention as whole days when it is set', () => {
    const config = loadConfig({ ROLE: 'all', CHAT_RETENTION_DAYS: '7', DEAD_LETTER_RETENTION_DAYS: '14', ANALYTICS_RETENTION_DAYS: '730' });

    expect([config.CHAT_RETENTION_DAYS, config.DEAD_LETTER_RETENTION_DAYS, config.ANALYTICS_RETENTION_DAYS]).toEqual([7, 14, 730]);
  });

  it('lists every retention that is not a positive whole number of days in one error', () => {
    const problems = problemsOf({ ROLE: 'all', CHAT_RETENTION_DAYS: '0', DEAD_LETTER_RETENTION_DAYS: 'a month', ANALYTICS_RETENTION_DAYS: '1.5' });

    expect(problems.map((p) => p.split(':')[0])).toEqual(['CHAT_RETENTION_DAYS', 'DEAD_LETTER_RETENTION_DAYS', 'ANALYTICS_RETENTION_DAYS']);
  });
});
