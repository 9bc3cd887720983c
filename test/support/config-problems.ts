import { ConfigError, loadConfig } from '../../src/config/config.js';

/** The problems loadConfig reports for `env`; an environment it accepts fails the test. */
export function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}
