import { loadSecretsIntoEnv, secretNamesFrom, type Env } from '../adapters/secret-manager/load-secrets.js';
import { createSecretManagerClient, SecretManagerSecretStore } from '../adapters/secret-manager/secret-manager-secret-store.js';
import { ConfigError } from './config.js';

const SECRET_READ_TIMEOUT_MS = 10_000;

/**
 * Reads the secrets named by SECRET_MANAGER_SECRETS from Secret Manager (once, at start) and
 * returns the environment with each secret supplying its variable. Without that setting the
 * environment is returned unchanged.
 */
export async function withSecrets(env: Env): Promise<Env> {
  if (secretNamesFrom(env).length === 0) return env;
  const projectId = env.PROJECT_ID;
  if (!projectId) throw new ConfigError(['PROJECT_ID: required with SECRET_MANAGER_SECRETS (secrets are read from that project)']);
  const [host, port] = env.SECRET_MANAGER_ENDPOINT?.split(':') ?? [];
  const client = await createSecretManagerClient(host && port ? { apiEndpoint: host, port: Number(port), insecure: true } : {});
  try {
    return await loadSecretsIntoEnv(env, new SecretManagerSecretStore(client, projectId, { timeoutMs: SECRET_READ_TIMEOUT_MS }));
  } finally {
    await client.close();
  }
}
