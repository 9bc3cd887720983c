/** Settings that cannot work together, found while building a role: printed, then exit 1. */
export class StartupError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'StartupError';
  }
}
