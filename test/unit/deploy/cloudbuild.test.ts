import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { withSecrets } from '../../../src/config/secrets.js';
import { planFrom, type SubscriptionPlan } from '../../../src/adapters/pubsub/provision.js';
import { parseDatabaseUrl } from '../../../src/adapters/postgres/database-url.js';
import { secretNameToVariable } from '../../../src/adapters/secret-manager/load-secrets.js';
import {
  BUILT_INS,
  customAudiencesOf,
  deployStep,
  dockerStep,
  flagValues,
  hasFlag,
  loadBuildConfig,
  pairs,
  readRepoFile,
  referencedNames,
  runDeploy,
  singleDeployArgv,
  substitute,
  substitutionValues,
  type BuildConfig,
} from '../../support/cloud-build.js';
import { SecretManagerDouble } from '../../support/secret-manager-double.js';

// ---------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------

/** The one image every config builds, as written (before substitution). */
const IMAGE_REPO = '${_REGION}-docker.pkg.dev/$PROJECT_ID/${_REPOSITORY}/vocoeng';
const ARTIFACT_REGISTRY = /^[a-z0-9-]+-docker\.pkg\.dev\/[^/]+\/[^/]+\/[^/:]+(:[\w.-]+)?$/;

interface ServiceCase {
  file: string;
  service: string;
  role: string;
  isPublic: boolean;
  secrets: string[];
}

const CASES: readonly ServiceCase[] = [
  {
    file: 'cloudbuild.webhook.yaml',
    service: 'vocoeng-webhook-listener',
    role: 'listener',
    isPublic: true,
    secrets: ['WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN', 'API_WEBHOOK_SECRET'],
  },
  {
    file: 'cloudbuild.worker.yaml',
    service: 'vocoeng-worker',
    role: 'worker',
    isPublic: false,
    secrets: ['WHATSAPP_ACCESS_TOKEN', 'OPENAI_API_KEY', 'API_CALLBACK_SECRET'],
  },
  {
    file: 'cloudbuild.api.yaml',
    service: 'vocoeng-api',
    role: 'api',
    isPublic: true,
    secrets: ['BOOTSTRAP_API_KEY', 'ADMIN_PASSWORD', 'DATABASE_URL'],
  },
];

for (const c of CASES) {
  describe(`Cloud Build config ${c.file}`, () => {
    it('parses as a Cloud Build config when read from the repository root', () => {
      const config = loadBuildConfig(c.file);
      expect(config.steps.length).toBeGreaterThanOrEqual(3);
      expect(config.substitutions['_REGION']).toBe('europe-west1');
      expect(config.substitutions['_REPOSITORY']).toBe('vocoeng');
      expect(config.substitutions['_SERVICE_ACCOUNT']).toBeTruthy();
    });

    it('builds the shared image from the repo Dockerfile when the build step runs', () => {
      const { step } = dockerStep(loadBuildConfig(c.file), 'build');
      const files = [...flagValues(step.args, '--file'), ...flagValues(step.args, '-f')];
      expect(files.every((f) => f === 'Dockerfile')).toBe(true);
      expect(step.args.at(-1)).toBe('.');
      const tags = [...flagValues(step.args, '--tag'), ...flagValues(step.args, '-t')];
      expect(tags).toContain(`${IMAGE_REPO}:$SHORT_SHA`);
      for (const tag of tags) expect(tag.startsWith(`${IMAGE_REPO}:`)).toBe(true);
    });

    it('pushes the image to Artifact Registry when the steps before the deploy run', () => {
      const config = loadBuildConfig(c.file);
      const values = substitutionValues(config);
      const build = dockerStep(config, 'build');
      const push = dockerStep(config, 'push');
      const deploy = deployStep(config);
      expect(build.index).toBeLessThan(push.index);
      expect(push.index).toBeLessThan(deploy.index);
      // Sequential unless waitFor says otherwise: the deploy must not start before the push.
      expect(deploy.step.waitFor ?? []).not.toContain('-');
      const pushed = push.step.args.slice(1).filter((a) => !a.startsWith('-'));
      expect(pushed.length).toBeGreaterThan(0);
      for (const image of pushed) {
        expect(substitute(image, values)).toMatch(ARTIFACT_REGISTRY);
        expect(image.startsWith(IMAGE_REPO)).toBe(true);
      }
      // A bare repository name pushes only :latest unless --all-tags is given.
      if (pushed.every((image) => image === IMAGE_REPO)) {
        expect(push.step.args).toContain('--all-tags');
      }
      expect(config.images).toContain(`${IMAGE_REPO}:$SHORT_SHA`);
      for (const image of config.images) expect(substitute(image, values)).toMatch(ARTIFACT_REGISTRY);
    });

    it(`deploys ${c.service} with ROLE=${c.role} and no other ROLE when the deploy step runs`, () => {
      const config = loadBuildConfig(c.file);
      const argv = singleDeployArgv(config);
      expect(argv.slice(0, 3)).toEqual(['run', 'deploy', c.service]);
      expect(flagValues(argv, '--image')).toEqual([
        'europe-west1-docker.pkg.dev/demo-project/vocoeng/vocoeng:abc1234',
      ]);
      expect(flagValues(argv, '--region')).toEqual(['europe-west1']);
      expect(flagValues(argv, '--port')).toEqual(['8080']);
      expect(flagValues(argv, '--service-account')).toHaveLength(1);
      expect(hasFlag(argv, '--env-vars-file')).toBe(false);
      const env = pairs(argv, '--set-env-vars', '--update-env-vars');
      expect(env.filter(([key]) => key === 'ROLE')).toEqual([['ROLE', c.role]]);
      expect(env).toContainEqual(['PROJECT_ID', 'demo-project']);
      const secretKeys = pairs(argv, '--set-secrets', '--update-secrets').map(([key]) => key);
      expect(secretKeys).not.toContain('ROLE');
    });

    it('reads exactly its secrets through SECRET_MANAGER_SECRETS and mounts none itself when deployed', () => {
      const argv = singleDeployArgv(loadBuildConfig(c.file));
      const env = Object.fromEntries(pairs(argv, '--set-env-vars'));
      const names = (env['SECRET_MANAGER_SECRETS'] ?? '').split(',');
      expect(names.map(secretNameToVariable).sort()).toEqual([...c.secrets].sort());
      for (const name of names) expect(name).toMatch(/^[a-z0-9-]+$/);
      // Cloud Run's own secret mounts would bypass the adapter (and win over it: a set variable is not read again);
      // --clear-secrets drops any a previous revision had, since `gcloud run deploy` keeps what is not given.
      expect(hasFlag(argv, '--set-secrets') || hasFlag(argv, '--update-secrets')).toBe(false);
      expect(argv).toContain('--clear-secrets');
      for (const variable of c.secrets) expect(Object.keys(env)).not.toContain(variable);
    });

    it(`is ${c.isPublic ? 'public' : 'private'} when deployed`, () => {
      const argv = singleDeployArgv(loadBuildConfig(c.file));
      expect(hasFlag(argv, '--allow-unauthenticated')).toBe(c.isPublic);
      expect(hasFlag(argv, '--no-allow-unauthenticated')).toBe(!c.isPublic);
    });

    it('references only known substitutions and uses every declared one when Cloud Build substitutes', () => {
      const config = loadBuildConfig(c.file);
      const texts = [
        ...config.steps.flatMap((s) => [s.name, s.entrypoint ?? '', ...s.args]),
        ...config.images,
      ];
      const used = new Set(texts.flatMap(referencedNames));
      const declared = Object.keys(config.substitutions);
      // Unknown names fail the build ("not a valid built-in substitution"): a bash $var needs $$.
      for (const name of used) expect([...declared, ...Object.keys(BUILT_INS)]).toContain(name);
      // Declared but unused substitutions fail the build too (without ALLOW_LOOSE).
      for (const name of declared) expect(used).toContain(name);
      for (const name of declared) expect(name).toMatch(/^_[A-Z0-9_]+$/);
      // Defaults that refer to other values only resolve with dynamic substitutions.
      if (Object.values(config.substitutions).some((v) => referencedNames(v).length > 0)) {
        expect(config.options['dynamicSubstitutions']).toBe(true);
      }
    });

    it('logs to Cloud Logging only when the build runs', () => {
      expect(loadBuildConfig(c.file).options['logging']).toBe('CLOUD_LOGGING_ONLY');
    });
  });
}

describe('Cloud Build configs', () => {
  it('build and deploy the same image name when compared across all three files', () => {
    const images = CASES.map((c) => {
      const config = loadBuildConfig(c.file);
      const build = dockerStep(config, 'build').step;
      return JSON.stringify({
        tags: [...flagValues(build.args, '--tag'), ...flagValues(build.args, '-t')].sort(),
        images: [...config.images].sort(),
        deployed: flagValues(singleDeployArgv(config), '--image'),
      });
    });
    expect(new Set(images).size).toBe(1);
  });
});

/** What each secret holds in the rehearsal: a well-formed stand-in per secret name. */
function secretStandIns(): Record<string, string> {
  const api = loadBuildConfig('cloudbuild.api.yaml');
  const instance = substitutionValues(api)['_CLOUDSQL_INSTANCE'] ?? 'no-cloudsql-instance';
  return {
    'whatsapp-app-secret': 'stand-in-app-secret-0123456789',
    'whatsapp-verify-token': 'stand-in-verify-token-0123456789',
    'api-webhook-secret': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    'whatsapp-access-token': 'stand-in-access-token-0123456789',
    'openai-api-key': 'sk-stand-in-0123456789',
    // Its own key, never the inbound one (32 bytes).
    'api-callback-secret': `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
    'bootstrap-api-key': 'stand-in-bootstrap-key-0123456789',
    'admin-password': 'stand-in-admin-password-0123456789',
    // As README says to create it: the Cloud SQL socket Cloud Run mounts for --add-cloudsql-instances.
    'database-url': `postgresql://vocoeng:stand-in-db-password@/vocoeng?host=/cloudsql/${instance}`,
  };
}

const secretManager = new SecretManagerDouble(BUILT_INS['PROJECT_ID']);
let secretManagerEndpoint = '';
beforeAll(async () => {
  for (const [name, value] of Object.entries(secretStandIns())) secretManager.set(name, value);
  const { apiEndpoint, port } = await secretManager.start();
  secretManagerEndpoint = `${apiEndpoint}:${port}`;
});
afterAll(() => secretManager.stop());

/**
 * What the role would say at start about the deployed environment: `--set-env-vars` as given, the
 * secrets it names read from the Secret Manager double by the real loader (a name the double does
 * not hold fails the read), then loadConfig.
 */
async function startupProblemsOf(argv: readonly string[]): Promise<readonly string[]> {
  const deployed = Object.fromEntries(pairs(argv, '--set-env-vars'));
  try {
    loadConfig(await withSecrets({ ...deployed, SECRET_MANAGER_ENDPOINT: secretManagerEndpoint }));
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('Runtime flags', () => {
  // The resident-memory goals of #14 (listener ≤ 120 MB, worker ≤ 180 MB) are met with a 4 MB young
  // generation; the api keeps V8's default (its analytics reads allocate in bulk).
  it.each([
    ['cloudbuild.webhook.yaml', {}, '--max-semi-space-size=4'],
    ['cloudbuild.worker.yaml', { _WORKER_MODE: 'push' }, '--max-semi-space-size=4'],
    ['cloudbuild.worker.yaml', { _WORKER_MODE: 'pull' }, '--max-semi-space-size=4'],
    ['cloudbuild.api.yaml', {}, undefined],
  ])('deploys %s (%o) with NODE_OPTIONS %s', (file, overrides, nodeOptions) => {
    const env = Object.fromEntries(pairs(singleDeployArgv(loadBuildConfig(file), overrides), '--set-env-vars'));
    expect(env['NODE_OPTIONS']).toBe(nodeOptions);
  });
});

describe('Api deploy script', () => {
  it('deploys an environment the api starts with, verifying pushes against the push service account', async () => {
    const argv = singleDeployArgv(loadBuildConfig('cloudbuild.api.yaml'));

    expect(await startupProblemsOf(argv)).toEqual([]);
    const env = Object.fromEntries(pairs(argv, '--set-env-vars'));
    expect(env['PUSH_AUTH']).toBeUndefined();
    expect(env['PUSH_SERVICE_ACCOUNT']).toBe('vocoeng-pubsub-push@demo-project.iam.gserviceaccount.com');
    for (const name of (env['SECRET_MANAGER_SECRETS'] ?? '').split(',')) {
      expect(secretManager.calls).toContain(`projects/demo-project/secrets/${name}/versions/latest`);
    }
  });

  it('connects to its Cloud SQL instance through the Unix socket Cloud Run mounts, with the URL (and password) from Secret Manager', async () => {
    const config = loadBuildConfig('cloudbuild.api.yaml');
    const argv = singleDeployArgv(config);
    const instance = substitutionValues(config)['_CLOUDSQL_INSTANCE'];

    expect(instance).toBe('demo-project:europe-west1:vocoeng');
    expect(flagValues(argv, '--add-cloudsql-instances')).toEqual([instance]);
    const env = Object.fromEntries(pairs(argv, '--set-env-vars'));
    expect(env['DATABASE_URL']).toBeUndefined();
    expect(env['SECRET_MANAGER_SECRETS']?.split(',')).toContain('database-url');
    const loaded = await withSecrets({ ...env, SECRET_MANAGER_ENDPOINT: secretManagerEndpoint });
    const address = parseDatabaseUrl(loadConfig(loaded).DATABASE_URL ?? '');
    expect(address).toMatchObject({ host: `/cloudsql/${instance}`, port: 5432, user: 'vocoeng', database: 'vocoeng' });
  });
});

describe('Worker deploy script', () => {
  const config = (): BuildConfig => loadBuildConfig('cloudbuild.worker.yaml');

  it('keeps CPU throttling and scales to zero when _WORKER_MODE is push', () => {
    const argv = singleDeployArgv(config(), { _WORKER_MODE: 'push' });
    expect(argv).toContain('--cpu-throttling');
    expect(argv).not.toContain('--no-cpu-throttling');
    expect(flagValues(argv, '--min-instances')).toEqual(['0']);
    const env = pairs(argv, '--set-env-vars');
    expect(env).toContainEqual(['WORKER_MODE', 'push']);
    expect(env.map(([key]) => key)).not.toContain('PUBSUB_SUBSCRIPTION');
  });

  it('allocates CPU always and keeps one instance when _WORKER_MODE is pull', () => {
    const argv = singleDeployArgv(config(), { _WORKER_MODE: 'pull' });
    expect(argv).toContain('--no-cpu-throttling');
    expect(argv).not.toContain('--cpu-throttling');
    expect(flagValues(argv, '--min-instances')).toEqual(['1']);
    const env = pairs(argv, '--set-env-vars');
    expect(env).toContainEqual(['WORKER_MODE', 'pull']);
    expect(env).toContainEqual(['PUBSUB_SUBSCRIPTION', 'vocoeng-inbound-worker']);
  });

  it('deploys in push mode when _WORKER_MODE is left at its default', () => {
    expect(config().substitutions['_WORKER_MODE']).toBe('push');
    const argv = singleDeployArgv(config());
    expect(argv).toContain('--cpu-throttling');
    expect(argv).not.toContain('--no-cpu-throttling');
  });

  it('sets a request timeout and concurrency when deployed in either mode', () => {
    for (const mode of ['push', 'pull']) {
      const argv = singleDeployArgv(config(), { _WORKER_MODE: mode });
      expect(flagValues(argv, '--timeout')[0]).toMatch(/^\d+s?$/);
      expect(flagValues(argv, '--concurrency')[0]).toMatch(/^\d+$/);
    }
  });

  it.each(['push', 'pull'])('deploys an environment the worker starts with, verifying pushes, when _WORKER_MODE is %s', async (mode) => {
    const argv = singleDeployArgv(config(), { _WORKER_MODE: mode });

    expect(await startupProblemsOf(argv)).toEqual([]);
    const env = Object.fromEntries(pairs(argv, '--set-env-vars'));
    expect(env['PUSH_AUTH']).toBeUndefined();
    if (mode === 'push') {
      expect(env['PUSH_AUDIENCE']).toBeTruthy();
      expect(env['PUSH_SERVICE_ACCOUNT']).toBe('vocoeng-pubsub-push@demo-project.iam.gserviceaccount.com');
    }
  });

  it('fails without calling gcloud when _WORKER_MODE is neither push nor pull', () => {
    const run = runDeploy(config(), { _WORKER_MODE: 'poll' });
    expect(run.exitCode).not.toBe(0);
    expect(run.invocations).toEqual([]);
    expect(run.stderr).toContain('poll');
  });
});

// ---------------------------------------------------------------------------
// Push audiences: Cloud Run, the app and provisioning must agree
// ---------------------------------------------------------------------------

/** What `npm run provision` plans with both push endpoints and the given push service account. */
function provisionedPushes(pushServiceAccount: string): SubscriptionPlan[] {
  return planFrom({
    WORKER_PUSH_ENDPOINT: 'https://vocoeng-worker-abc-ew.a.run.app/pubsub/push',
    API_PUSH_ENDPOINT: 'https://vocoeng-api-abc-ew.a.run.app/internal/pubsub/interactions',
    PUSH_SERVICE_ACCOUNT: pushServiceAccount,
  }).subscriptions.filter((s) => s.delivery.mode === 'push');
}

const RECEIVERS = [
  { file: 'cloudbuild.worker.yaml', service: 'vocoeng-worker', receives: (s: SubscriptionPlan) => s.name === 'vocoeng-inbound-worker', count: 1 },
  { file: 'cloudbuild.api.yaml', service: 'vocoeng-api', receives: (s: SubscriptionPlan) => s.name !== 'vocoeng-inbound-worker', count: 3 },
] as const;

describe('Push audiences', () => {
  for (const r of RECEIVERS) {
    it(`${r.service} declares as its custom audience the PUSH_AUDIENCE it verifies, which provisioning puts on its push subscriptions`, () => {
      const config = loadBuildConfig(r.file);
      const env = Object.fromEntries(pairs(singleDeployArgv(config), '--set-env-vars'));
      const declared = customAudiencesOf(config, r.service);

      expect(env['PUSH_AUDIENCE']).toBeTruthy();
      expect(declared.audiences).toEqual([env['PUSH_AUDIENCE']]);
      // After the deploy (the service must exist), in the deploy's region.
      expect(declared.index).toBeGreaterThan(deployStep(config).index);
      expect(declared.region).toEqual(flagValues(singleDeployArgv(config), '--region'));
      const pushes = provisionedPushes(env['PUSH_SERVICE_ACCOUNT'] ?? '').filter(r.receives);
      expect(pushes).toHaveLength(r.count);
      for (const push of pushes) {
        expect(push.delivery).toMatchObject({ mode: 'push', audience: env['PUSH_AUDIENCE'], serviceAccountEmail: env['PUSH_SERVICE_ACCOUNT'] });
      }
    });
  }

  it('gives the worker and the api different audiences and the same push service account', () => {
    const envs = RECEIVERS.map((r) => Object.fromEntries(pairs(singleDeployArgv(loadBuildConfig(r.file)), '--set-env-vars')));
    expect(new Set(envs.map((env) => env['PUSH_AUDIENCE'])).size).toBe(2);
    expect(new Set(envs.map((env) => env['PUSH_SERVICE_ACCOUNT'])).size).toBe(1);
  });
});

// ---------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  rest: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function dockerInstructions(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // comment inside a continuation
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  if (current !== '') logical.push(current);
  return logical.map((line) => {
    const space = line.search(/\s/);
    return space < 0
      ? { keyword: line.toUpperCase(), rest: '' }
      : { keyword: line.slice(0, space).toUpperCase(), rest: line.slice(space).trim() };
  });
}

function dockerStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of dockerInstructions(text)) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

function finalStage(): Instruction[] {
  const stage = dockerStages(readRepoFile('Dockerfile')).at(-1);
  if (stage === undefined) throw new Error('Dockerfile has no FROM');
  return stage;
}

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage when parsed', () => {
    const stages = dockerStages(readRepoFile('Dockerfile'));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]?.rest).toMatch(/^node:24[\w.-]*(\s+AS\s+\w+)?$/i);
  });

  it('compiles TypeScript in an earlier stage and copies dist/ into the final one when built', () => {
    const stages = dockerStages(readRepoFile('Dockerfile'));
    const earlier = stages.slice(0, -1).flat();
    expect(
      earlier.some(
        (i) => i.keyword === 'RUN' && /(tsc -p tsconfig\.build\.json|npm run build)/.test(i.rest),
      ),
    ).toBe(true);
    expect(finalStage().some((i) => i.keyword === 'COPY' && /^--from=\S+\s+\S*dist\/?\s/.test(i.rest))).toBe(
      true,
    );
  });

  it('installs production dependencies only when the final stage is built', () => {
    const installs = finalStage().filter((i) => i.keyword === 'RUN' && /\bnpm\s+(ci|install|i)\b/.test(i.rest));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) {
      expect(install.rest).toMatch(/\bnpm ci\b/);
      expect(install.rest).toContain('--omit=dev');
    }
    expect(finalStage()).toContainEqual({ keyword: 'ENV', rest: 'NODE_ENV=production' });
  });

  it('runs as a non-root user when the container starts', () => {
    const users = finalStage().filter((i) => i.keyword === 'USER');
    const last = users.at(-1)?.rest.split(':')[0];
    expect(last).toBeDefined();
    expect(['root', '0']).not.toContain(last);
    const stage = finalStage();
    const userIndex = stage.findLastIndex((i) => i.keyword === 'USER');
    const cmdIndex = stage.findLastIndex((i) => i.keyword === 'CMD');
    expect(userIndex).toBeLessThan(cmdIndex);
  });

  it('leaves V8\'s compile cache in the image, warmed by the runtime user in a directory that user owns', () => {
    const stage = finalStage();
    const env = stage.find((i) => i.keyword === 'ENV' && /^NODE_COMPILE_CACHE=/.test(i.rest));
    expect(env).toBeDefined();
    const dir = env!.rest.slice('NODE_COMPILE_CACHE='.length);
    const user = stage.findLast((i) => i.keyword === 'USER')!.rest;
    const warm = stage.findIndex((i) => i.keyword === 'RUN' && /\bnode dist\/warm-compile-cache\.js\b/.test(i.rest));
    expect(warm).toBeGreaterThan(stage.indexOf(env!));
    // Node keeps one cache per user id: warmed by another user, it would never be read.
    expect(warm).toBeGreaterThan(stage.findLastIndex((i) => i.keyword === 'USER'));
    expect(stage.some((i) => i.keyword === 'RUN' && i.rest.includes(`chown ${user}:${user}`) && i.rest.includes(dir))).toBe(true);
  });

  it('runs node dist/main.js on port 8080 when the container starts', () => {
    const stage = finalStage();
    const cmd = stage.filter((i) => i.keyword === 'CMD').at(-1);
    expect(cmd).toBeDefined();
    expect(JSON.parse(cmd?.rest ?? 'null')).toEqual(['node', 'dist/main.js']);
    expect(stage.some((i) => i.keyword === 'ENTRYPOINT')).toBe(false);
    expect(stage.some((i) => i.keyword === 'ENV' && /(^|\s)PORT=8080(\s|$)/.test(i.rest))).toBe(true);
    expect(stage.some((i) => i.keyword === 'EXPOSE' && i.rest === '8080')).toBe(true);
  });

  it('sets ROLE only as an overridable ENV default when built', () => {
    const all = dockerInstructions(readRepoFile('Dockerfile'));
    const mentions = all.filter((i) => /\bROLE\b/.test(i.rest));
    expect(mentions.length).toBeGreaterThan(0);
    for (const mention of mentions) {
      expect(mention.keyword).toBe('ENV');
      expect(mention.rest).toMatch(/(^|\s)ROLE=(listener|worker|api|all)(\s|$)/);
    }
  });

  it('keeps local state and dependencies out of the build context when .dockerignore is read', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['node_modules', 'dist', '.data', '.git']) expect(ignored).toContain(entry);
  });
});
