import type { SecretStore } from '../../domain/ports/secret-store.js';

export class SecretNotFoundError extends Error {
  constructor(readonly names: readonly string[]) {
    super(`secrets not readable: ${names.join(', ')}`);
  }
}

/** Secrets held in memory (tests, local runs); a missing name fails the whole load, naming it. */
export class InMemorySecretStore implements SecretStore {
  constructor(private readonly secrets: Readonly<Record<string, string>> = {}) {}

  async load(names: readonly string[]): Promise<Record<string, string>> {
    const missing = names.filter((name) => this.secrets[name] === undefined);
    if (missing.length > 0) throw new SecretNotFoundError(missing);
    return Object.fromEntries(names.map((name) => [name, this.secrets[name]!]));
  }
}
