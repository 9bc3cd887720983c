/** Reads named secrets once at start; an unreadable secret is an error that names it. */
export interface SecretStore {
  load(names: readonly string[]): Promise<Record<string, string>>;
}
