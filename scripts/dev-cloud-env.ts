// What `npm run dev:cloud` gives each role and provisioning, apart from where things run. Shared with
// compose.yaml's test (test/unit/deploy/compose.test.ts), so the Compose services and dev:cloud
// cannot drift apart: only the addresses (ports, hosts, emulator hosts) differ between the two.
import type { ProvisionEnv } from '../src/adapters/pubsub/provision.js';

export type RoleName = 'listener' | 'worker' | 'api';
export const ROLE_NAMES: readonly RoleName[] = ['listener', 'worker', 'api'];

/**
 * Variables the roles take from the caller's shell. The topic names and the coalescing window are
 * read by provisioning too: a role must use the topics and the subscription ordering it provisions.
 */
export const PASSED_THROUGH =
  /^(WHATSAPP_[A-Z_]+|API_WEBHOOK_SECRET|API_CALLBACK_SECRET|BOOTSTRAP_API_KEY|CALLBACK_ALLOWED_HOSTS|SYSTEM_PROMPT|FALLBACK_TEXT|MEDIA_REPLY_TEXT|ADMIN_EMAIL|ADMIN_PASSWORD|LOG_LEVEL|PUBSUB_TOPIC|PUBSUB_INTERACTIONS_TOPIC|COALESCE_WINDOW_MS)$/;

/** Where one role runs: its port and bind address, the project and the emulators' host:port. */
export interface RolePlace {
  port: number;
  host: string;
  projectId: string;
  pubsubHost: string;
  firestoreHost: string;
}

export function passedThrough(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => PASSED_THROUGH.test(name) && value !== undefined)) as Record<string, string>;
}

/** The settings of one role (without PATH, HOME and the like, which belong to the process). */
export function roleSettings(role: RoleName, place: RolePlace, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return {
    METADATA_SERVER_DETECTION: 'none',
    ...passedThrough(env),
    ROLE: role,
    // The emulator pushes without an OIDC token: said explicitly, and warned about by the roles.
    PUSH_AUTH: 'none',
    PORT: String(place.port),
    HOST: place.host,
    PROJECT_ID: place.projectId,
    PUBSUB_EMULATOR_HOST: place.pubsubHost,
    FIRESTORE_EMULATOR_HOST: place.firestoreHost,
    ...(role === 'worker' ? { AI_PROVIDER: 'scripted', WORKER_MODE: 'push' } : {}),
  };
}

/** What provisioning reads: the worker and the api take pushes at `baseUrl(role)`. */
export function provisionSettings(baseUrl: (role: RoleName) => string, env: Readonly<Record<string, string | undefined>>): ProvisionEnv {
  return {
    PUBSUB_TOPIC: env.PUBSUB_TOPIC,
    PUBSUB_INTERACTIONS_TOPIC: env.PUBSUB_INTERACTIONS_TOPIC,
    WORKER_PUSH_ENDPOINT: `${baseUrl('worker')}/pubsub/push`,
    API_PUSH_ENDPOINT: `${baseUrl('api')}/internal/pubsub/interactions`,
    // A coalescing worker needs the unordered subscription (see provision.ts).
    COALESCE_WINDOW_MS: env.COALESCE_WINDOW_MS,
  };
}
