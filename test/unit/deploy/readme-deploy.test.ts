import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The README's "Deploying to Google Cloud" must follow the deploy files: a substitution, secret,
// service account or provisioning variable added to them without the README fails here.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (name: string) => readFileSync(`${ROOT}${name}`, 'utf8');
const BUILD_FILES = ['cloudbuild.webhook.yaml', 'cloudbuild.worker.yaml', 'cloudbuild.api.yaml'] as const;

/** The section, with shell line continuations joined so each command is one line. */
function deploySection(readme: string): string {
  const start = readme.indexOf('\n## Deploying to Google Cloud\n');
  if (start < 0) throw new Error('README has no "## Deploying to Google Cloud" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end).replace(/\\\n\s*/g, ' ');
}

const SECTION = deploySection(read('README.md'));

function strings(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(strings);
  if (node !== null && typeof node === 'object') return Object.values(node).flatMap(strings);
  return [];
}

interface BuildFile {
  /** User substitutions it declares or refers to, and SHORT_SHA when it refers to it. */
  substitutions: Set<string>;
  secrets: string[];
  /** Local parts of the service accounts it names (`vocoeng-worker`). */
  serviceAccounts: Set<string>;
  runtimeAccount: string;
}

function buildFile(name: string): BuildFile {
  const text = read(name);
  const doc = parse(text) as { steps: unknown[]; images?: unknown[]; substitutions?: Record<string, string> };
  const used = strings([doc.steps, doc.images ?? [], Object.values(doc.substitutions ?? {})]).flatMap((s) =>
    [...s.replaceAll('$$', '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]!),
  );
  const substitutions = new Set([...Object.keys(doc.substitutions ?? {}), ...used].filter((n) => n.startsWith('_') || n === 'SHORT_SHA'));
  const secretsMatch = /SECRET_MANAGER_SECRETS=([a-z0-9,-]+)/.exec(strings(doc.steps).join('\n'));
  if (!secretsMatch) throw new Error(`${name}: no SECRET_MANAGER_SECRETS`);
  const accountOf = (value: string | undefined) => /^([a-z0-9-]+)@\$\{PROJECT_ID\}\.iam\.gserviceaccount\.com$/.exec(value ?? '')?.[1];
  const serviceAccounts = new Set(
    Object.values(doc.substitutions ?? {})
      .map(accountOf)
      .filter((a): a is string => a !== undefined),
  );
  const runtimeAccount = accountOf(doc.substitutions?.['_SERVICE_ACCOUNT']);
  if (!runtimeAccount) throw new Error(`${name}: no _SERVICE_ACCOUNT default`);
  return { substitutions, secrets: secretsMatch[1]!.split(','), serviceAccounts, runtimeAccount };
}

/** `gcloud builds submit --config FILE … --substitutions=A=x,B=y` of the section, by file. */
function submitCommands(): Map<string, Record<string, string>> {
  const commands = new Map<string, Record<string, string>>();
  for (const line of SECTION.split('\n').filter((l) => l.trimStart().startsWith('gcloud builds submit '))) {
    const config = /--config[ =](\S+)/.exec(line)?.[1];
    const list = /--substitutions[ =](\S+)/.exec(line)?.[1];
    if (!config || !list) throw new Error(`incomplete gcloud builds submit: ${line}`);
    commands.set(config, Object.fromEntries(list.split(',').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])));
  }
  return commands;
}

/** Which account each secret is granted to, from single bindings and `for s in …; do … $s` loops. */
function secretGrants(): Map<string, Set<string>> {
  const grants = new Map<string, Set<string>>();
  const grant = (secret: string, account: string) => grants.set(secret, (grants.get(secret) ?? new Set()).add(account));
  for (const m of SECTION.matchAll(/for s in ([a-z0-9 -]+); do\s+gcloud secrets add-iam-policy-binding \$s [^\n]*?--member=serviceAccount:([a-z0-9-]+)@/g)) {
    for (const secret of m[1]!.trim().split(/\s+/)) grant(secret, m[2]!);
  }
  for (const m of SECTION.matchAll(/gcloud secrets add-iam-policy-binding ([a-z0-9-]+) [^\n]*?--member=serviceAccount:([a-z0-9-]+)@/g)) grant(m[1]!, m[2]!);
  return grants;
}

/** The value of NAME=… in the section's `npm run provision` command. */
function provisionValue(name: string): string | undefined {
  const command = SECTION.split('\n').find((l) => l.trim().endsWith('npm run provision'));
  if (!command) throw new Error('no npm run provision command');
  return new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(command)?.[1];
}

describe('README: Deploying to Google Cloud', () => {
  it.each(BUILD_FILES)('passes every substitution %s uses in its gcloud builds submit command', (file) => {
    const command = submitCommands().get(file);
    expect(command, `no gcloud builds submit --config ${file}`).toBeDefined();
    const used = [...buildFile(file).substitutions].sort();
    expect(used.length).toBeGreaterThan(3);
    expect(Object.keys(command!).sort()).toEqual(used);
  });

  it.each(BUILD_FILES)('passes the defaults of %s, as the section says, once its shell variables are expanded', (file) => {
    const exported = /export PROJECT_ID=(\S+) REGION=(\S+)/.exec(SECTION);
    const sa = /^SA=(\S+)$/m.exec(SECTION)?.[1];
    expect(exported && sa).toBeTruthy();
    const shell: Record<string, string> = { PROJECT_ID: exported![1]!, REGION: exported![2]!, SA: sa! };
    const expand = (value: string) => value.replace(/\$\{?([A-Z_]+)\}?/g, (_m, name: string) => shell[name] ?? `<unset ${name}>`);
    const defaults = (parse(read(file)) as { substitutions: Record<string, string> }).substitutions;
    const passed = submitCommands().get(file)!;
    for (const [name, value] of Object.entries(defaults)) expect(expand(passed[name]!), `${file} ${name}`).toBe(expand(value));
  });

  it.each(BUILD_FILES)('creates every secret %s lists and grants each to that service account only', (file) => {
    const { secrets, runtimeAccount } = buildFile(file);
    const grants = secretGrants();
    for (const secret of secrets) {
      expect(SECTION, secret).toMatch(new RegExp(`gcloud secrets create ${secret} --data-file=-`));
      expect([...(grants.get(secret) ?? [])], secret).toEqual([runtimeAccount]);
    }
    expect(submitCommands().get(file)!['_SERVICE_ACCOUNT']).toMatch(new RegExp(`^${runtimeAccount}@`));
  });

  it('creates every service account the deploy files name, and the build account it submits with', () => {
    const accounts = new Set(BUILD_FILES.flatMap((file) => [...buildFile(file).serviceAccounts]));
    expect(accounts.size).toBeGreaterThanOrEqual(4);
    const buildAccount = /BUILD_SA=projects\/\$PROJECT_ID\/serviceAccounts\/([a-z0-9-]+)@/.exec(SECTION)?.[1];
    expect(buildAccount).toBeDefined();
    for (const account of [...accounts, buildAccount!]) expect(SECTION, account).toMatch(new RegExp(`gcloud iam service-accounts create ${account} `));
  });

  it('names every variable provisioning reads', () => {
    const source = read('src/adapters/pubsub/provision.ts');
    const declared = /interface ProvisionEnv \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
    const names = new Set([
      ...[...declared.matchAll(/^\s+([A-Z_]+)\?:/gm)].map((m) => m[1]!),
      ...[...source.matchAll(/\benv\.([A-Z_]+)/g)].map((m) => m[1]!),
      ...[...read('src/provision.ts').matchAll(/process\.env\.([A-Z_]+)/g)].map((m) => m[1]!),
    ]);
    expect(names.size).toBeGreaterThan(8);
    for (const name of names) expect(SECTION, name).toContain(`\`${name}\``);
  });

  it('provisions the push audiences and push account the builds declare', () => {
    const commands = submitCommands();
    expect(commands.get('cloudbuild.worker.yaml')!['_PUSH_AUDIENCE']).toBe(provisionValue('WORKER_PUSH_AUDIENCE'));
    expect(commands.get('cloudbuild.api.yaml')!['_PUSH_AUDIENCE']).toBe(provisionValue('API_PUSH_AUDIENCE'));
    for (const file of ['cloudbuild.worker.yaml', 'cloudbuild.api.yaml']) expect(commands.get(file)!['_PUSH_SERVICE_ACCOUNT'], file).toBe(provisionValue('PUSH_SERVICE_ACCOUNT'));
    expect(provisionValue('WORKER_PUSH_ENDPOINT')).toMatch(/\/pubsub\/push$/);
    expect(provisionValue('API_PUSH_ENDPOINT')).toMatch(/\/internal\/pubsub\/interactions$/);
  });

  it('enables the APIs the deployment uses', () => {
    const enable = SECTION.split('\n').find((l) => l.includes('gcloud services enable')) ?? '';
    for (const api of ['run', 'cloudbuild', 'artifactregistry', 'pubsub', 'firestore', 'secretmanager', 'sqladmin', 'iam']) {
      expect(enable, api).toContain(`${api}.googleapis.com`);
    }
  });
});
