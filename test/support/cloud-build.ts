import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { parse } from 'yaml';

// The three Cloud Build files as data: parsed, substitutions applied as Cloud Build applies them,
// the deploy step run with `gcloud` stubbed out. Shared by the deploy unit test and the rehearsal.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function readRepoFile(name: string): string {
  return readFileSync(`${ROOT}${name}`, 'utf8');
}

// ---------------------------------------------------------------------------
// Cloud Build config model and substitution engine
// ---------------------------------------------------------------------------

export interface BuildStep {
  id?: string;
  name: string;
  entrypoint?: string;
  args: string[];
  waitFor?: string[];
}

export interface BuildConfig {
  steps: BuildStep[];
  images: string[];
  substitutions: Record<string, string>;
  options: Record<string, unknown>;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a cloudbuild YAML file and checks the shape this test relies on. */
export function loadBuildConfig(file: string): BuildConfig {
  const doc: unknown = parse(readRepoFile(file));
  if (!isRecord(doc)) throw new Error(`${file}: top level is not a mapping`);
  const { steps, images = [], substitutions = {}, options = {} } = doc;
  if (!Array.isArray(steps) || steps.length === 0) throw new Error(`${file}: no steps`);
  const parsedSteps = steps.map((step: unknown, i): BuildStep => {
    if (!isRecord(step) || typeof step['name'] !== 'string') {
      throw new Error(`${file}: step ${i} has no name`);
    }
    const args = step['args'] ?? [];
    if (!isStringArray(args)) throw new Error(`${file}: step ${i} args are not all strings`);
    const result: BuildStep = { name: step['name'], args };
    if (typeof step['id'] === 'string') result.id = step['id'];
    if (typeof step['entrypoint'] === 'string') result.entrypoint = step['entrypoint'];
    if (isStringArray(step['waitFor'])) result.waitFor = step['waitFor'];
    return result;
  });
  if (!isStringArray(images)) throw new Error(`${file}: images are not all strings`);
  if (!isRecord(substitutions) || !Object.values(substitutions).every((v) => typeof v === 'string')) {
    throw new Error(`${file}: substitutions must map names to strings (quote numbers)`);
  }
  if (!isRecord(options)) throw new Error(`${file}: options is not a mapping`);
  return {
    steps: parsedSteps,
    images,
    substitutions: substitutions as Record<string, string>,
    options,
  };
}

/** Cloud Build's built-in substitutions, with the values this test pretends they have. */
export const BUILT_INS: Readonly<Record<string, string>> = {
  PROJECT_ID: 'demo-project',
  PROJECT_NUMBER: '123456789012',
  BUILD_ID: 'b-0001',
  LOCATION: 'europe-west1',
  SHORT_SHA: 'abc1234',
  COMMIT_SHA: 'abc1234def5678abc1234def5678abc1234def56',
  REVISION_ID: 'abc1234def5678abc1234def5678abc1234def56',
  BRANCH_NAME: 'main',
  TAG_NAME: '',
  REPO_NAME: 'vocoeng',
};

const SUBSTITUTION_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const ESCAPED_DOLLAR = '\u0000';

/** Names referenced as $NAME / ${NAME} in text, ignoring escaped $$. */
export function referencedNames(text: string): string[] {
  const names: string[] = [];
  for (const match of text.replaceAll('$$', ESCAPED_DOLLAR).matchAll(SUBSTITUTION_REF)) {
    names.push(match[1] ?? match[2] ?? '');
  }
  return names;
}

/** Applies Cloud Build substitution to text: ${X} and $X are replaced, $$ becomes $. */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text
    .replaceAll('$$', ESCAPED_DOLLAR)
    .replace(SUBSTITUTION_REF, (_match, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const value = values[name];
      if (value === undefined) throw new Error(`unknown substitution ${name}`);
      return value;
    })
    .replaceAll(ESCAPED_DOLLAR, '$');
}

/**
 * Built-ins plus the file's defaults (which may refer to built-ins), then overrides. An override
 * without the leading `_` of user substitutions replaces a built-in (e.g. PROJECT_ID), before the
 * defaults that refer to it are resolved.
 */
export function substitutionValues(
  config: BuildConfig,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const builtIns = { ...BUILT_INS, ...Object.fromEntries(Object.entries(overrides).filter(([name]) => !name.startsWith('_'))) };
  const values: Record<string, string> = { ...builtIns };
  for (const [name, value] of Object.entries(config.substitutions)) {
    values[name] = substitute(value, builtIns);
  }
  return { ...values, ...overrides };
}

export function dockerStep(config: BuildConfig, command: 'build' | 'push'): { step: BuildStep; index: number } {
  const index = config.steps.findIndex(
    (s) => s.name.startsWith('gcr.io/cloud-builders/docker') && s.args[0] === command,
  );
  const step = config.steps[index];
  if (step === undefined) throw new Error(`no docker ${command} step`);
  return { step, index };
}

export function deployStep(config: BuildConfig): { step: BuildStep; index: number } {
  const index = config.steps.findIndex((s) => s.name.startsWith('gcr.io/google.com/cloudsdktool/cloud-sdk'));
  const step = config.steps[index];
  if (step === undefined) throw new Error('no cloud-sdk deploy step');
  return { step, index };
}

/** Values of a CLI flag given as `--flag=value` or `--flag value`. */
export function flagValues(argv: readonly string[], flag: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === flag) {
      values.push(argv[i + 1] ?? '');
      i++;
    } else if (arg.startsWith(`${flag}=`)) {
      values.push(arg.slice(flag.length + 1));
    }
  }
  return values;
}

export function hasFlag(argv: readonly string[], flag: string): boolean {
  return argv.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
}

/**
 * A gcloud list value split as gcloud splits it: on commas, or on the delimiter D of a value
 * written `^D^…` (`gcloud topic escaping`), which lets a value contain commas.
 */
export function listItems(list: string): string[] {
  const escaped = /^\^([^^]+)\^/.exec(list);
  return escaped ? list.slice(escaped[0].length).split(escaped[1] ?? ',') : list.split(',');
}

/** KEY=VALUE pairs from every flag of the given kind (lists as gcloud splits them). */
export function pairs(argv: readonly string[], ...flags: string[]): Array<[string, string]> {
  return flags
    .flatMap((flag) => flagValues(argv, flag))
    .flatMap(listItems)
    .map((item): [string, string] => {
      const eq = item.indexOf('=');
      return eq < 0 ? [item, ''] : [item.slice(0, eq), item.slice(eq + 1)];
    });
}

export interface DeployRun {
  /** One argv per gcloud invocation. */
  invocations: string[][];
  exitCode: number | null;
  stderr: string;
}

/**
 * What the deploy step would run, with substitutions applied. A gcloud entrypoint yields its
 * args; a bash entrypoint runs its script with `gcloud` replaced by a function that prints its
 * argv (one invocation per line, tab-separated).
 */
export function runDeploy(config: BuildConfig, overrides: Readonly<Record<string, string>> = {}): DeployRun {
  const values = substitutionValues(config, overrides);
  const { step } = deployStep(config);
  const args = step.args.map((arg) => substitute(arg, values));
  if (step.entrypoint === 'gcloud') {
    return { invocations: [args], exitCode: 0, stderr: '' };
  }
  if (step.entrypoint !== 'bash' || args[0] !== '-c' || args[1] === undefined) {
    throw new Error(`unsupported deploy step: entrypoint ${String(step.entrypoint)} ${args.join(' ')}`);
  }
  const stub = `gcloud() { printf 'GCLOUD'; printf '\\t%s' "$@"; printf '\\n'; }\n`;
  // --norc: bash reads ~/.bashrc when stdin is a socket, as it is under Node.
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', stub + args[1]], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    timeout: 10_000,
  });
  const invocations = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('GCLOUD'))
    .map((line) => line.split('\t').slice(1));
  return { invocations, exitCode: result.status, stderr: result.stderr };
}

export function singleDeployArgv(config: BuildConfig, overrides: Readonly<Record<string, string>> = {}): string[] {
  const run = runDeploy(config, overrides);
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  expect(run.invocations).toHaveLength(1);
  return run.invocations[0] ?? [];
}


const CLOUD_SDK = 'gcr.io/google.com/cloudsdktool/cloud-sdk';

/** The custom audiences a file declares on `service` (`gcloud run … --add-custom-audiences`), and the step index. */
export function customAudiencesOf(
  config: BuildConfig,
  service: string,
  overrides: Readonly<Record<string, string>> = {},
): { audiences: string[]; index: number; region: string[] } {
  const values = substitutionValues(config, overrides);
  const index = config.steps.findIndex((s) => s.name.startsWith(CLOUD_SDK) && s.entrypoint === 'gcloud' && hasFlag(s.args, '--add-custom-audiences'));
  const argv = (config.steps[index]?.args ?? []).map((arg) => substitute(arg, values));
  expect(argv.slice(0, 4)).toEqual(['run', 'services', 'update', service]);
  return { audiences: flagValues(argv, '--add-custom-audiences').flatMap(listItems), index, region: flagValues(argv, '--region') };
}

/** One Cloud Run service as a Cloud Build file deploys it. */
export interface DeployedService {
  service: string;
  /** The `gcloud run deploy` argv, substituted. */
  argv: string[];
  /** `--set-env-vars` / `--update-env-vars`, as gcloud splits them. */
  env: Record<string, string>;
  /** The Secret Manager secret names its SECRET_MANAGER_SECRETS lists. */
  secretNames: string[];
  /** `--add-custom-audiences` of a later `gcloud run services update` step (none for a public-only service). */
  customAudiences: string[];
}

/** What `file` deploys, with substitutions (built-ins such as PROJECT_ID included) from `overrides`. */
export function deployedService(file: string, overrides: Readonly<Record<string, string>> = {}): DeployedService {
  const config = loadBuildConfig(file);
  const argv = singleDeployArgv(config, overrides);
  expect(argv.slice(0, 2)).toEqual(['run', 'deploy']);
  const service = argv[2] ?? '';
  const env = Object.fromEntries(pairs(argv, '--set-env-vars', '--update-env-vars'));
  const declaresAudiences = config.steps.some((s) => hasFlag(s.args, '--add-custom-audiences'));
  return {
    service,
    argv,
    env,
    secretNames: (env['SECRET_MANAGER_SECRETS'] ?? '').split(',').filter((name) => name !== ''),
    customAudiences: declaresAudiences ? customAudiencesOf(config, service, overrides).audiences : [],
  };
}
