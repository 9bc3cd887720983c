import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { Child } from './child-process.js';
import { aFreePort } from './ports.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface RoleProcess {
  child: Child;
  port: number;
  baseUrl: string;
}

/**
 * `src/main.ts` as production starts it (through tsx here), in a process of its own with exactly
 * `env`; does not wait for anything. The one place the test harnesses spawn a role.
 */
export function spawnMain(env: Record<string, string>, options: RoleProcessOptions = {}): Child {
  const imports = (options.imports ?? []).flatMap((module) => ['--import', module]);
  return new Child(process.execPath, ['--import', 'tsx', ...imports, 'src/main.ts'], env, projectRoot);
}

export interface RoleProcessOptions {
  /** Modules to `--import` before `src/main.ts` (after tsx), e.g. a loader hook. */
  imports?: string[];
}

/**
 * A role as production starts it (`src/main.ts` in a process of its own) on the emulators, with
 * `env` on top (its PORT, when given); resolves once it logged that it is ready.
 */
export async function startRoleProcess(env: Record<string, string>, readyTimeoutMs = 30_000, options: RoleProcessOptions = {}): Promise<RoleProcess> {
  // A PORT in `env` is kept (a push endpoint already names it); otherwise a free one.
  const port = env.PORT ? Number(env.PORT) : await aFreePort();
  const child = spawnMain(
    {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      METADATA_SERVER_DETECTION: 'none',
      HOST: '127.0.0.1',
      PORT: String(port),
      // The emulator pushes without a token: the emulator roles opt out of push OIDC explicitly.
      PUSH_AUTH: 'none',
      PUBSUB_EMULATOR_HOST: inject('pubsubEmulatorHost'),
      FIRESTORE_EMULATOR_HOST: inject('firestoreEmulatorHost'),
      ...env,
    },
    options,
  );
  try {
    await child.waitForLine((line) => /"message":"VocoEng \w+ ready on /.test(line), readyTimeoutMs);
  } catch (error) {
    await child.kill();
    throw error;
  }
  return { child, port, baseUrl: `http://127.0.0.1:${port}` };
}
