import type { SecretStore } from '../../domain/ports/secret-store.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** `whatsapp-app-secret` → `WHATSAPP_APP_SECRET`: dashes become underscores, letters upper case. */
export function secretNameToVariable(name: string): string {
  return name.trim().replace(/-/g, '_').toUpperCase();
}

/** The names listed in `SECRET_MANAGER_SECRETS` (comma-separated; blanks and repeats dropped). */
export function secretNamesFrom(env: Env): string[] {
  const list = env.SECRET_MANAGER_SECRETS ?? '';
  return [...new Set(list.split(',').map((name) => name.trim()).filter((name) => name !== ''))];
}

/**
 * Returns a copy of `env` in which every secret named in `SECRET_MANAGER_SECRETS` supplies its
 * upper-snake-case variable. `env` itself is never changed and `process.env` is never read.
 *
 * A variable already set to a non-empty value wins, silently, and its secret is not even read:
 * setting it explicitly is how an operator overrides one secret (local runs, incident fixes), and
 * a secret nobody will use should not be able to stop the start. An empty value counts as unset.
 * Two names mapping to the same variable (`a-b`, `a_b`) are a configuration error.
 */
export async function loadSecretsIntoEnv(env: Env, store: SecretStore): Promise<Record<string, string | undefined>> {
  const names = secretNamesFrom(env);
  const result: Record<string, string | undefined> = { ...env };
  if (names.length === 0) return result;

  const byVariable = new Map<string, string>();
  for (const name of names) {
    const variable = secretNameToVariable(name);
    const other = byVariable.get(variable);
    if (other !== undefined) throw new Error(`SECRET_MANAGER_SECRETS: "${other}" and "${name}" both supply ${variable}`);
    byVariable.set(variable, name);
  }

  const needed = names.filter((name) => !env[secretNameToVariable(name)]);
  if (needed.length === 0) return result;
  const secrets = await store.load(needed);
  for (const name of needed) result[secretNameToVariable(name)] = secrets[name];
  return result;
}
