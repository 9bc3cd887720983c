import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface IndexFile {
  indexes: { collectionGroup: string; queryScope: string; fields: { fieldPath: string; order?: string; arrayConfig?: string }[] }[];
  fieldOverrides: { collectionGroup: string; fieldPath: string; ttl?: boolean; indexes: unknown[] }[];
}
interface Step {
  id?: string;
  name: string;
  entrypoint?: string;
  args?: string[];
  waitFor?: string[];
}

const indexFile = JSON.parse(readFileSync(`${ROOT}firestore.indexes.json`, 'utf8')) as IndexFile;
const steps = (parse(readFileSync(`${ROOT}cloudbuild.worker.yaml`, 'utf8')) as { steps: Step[] }).steps;
const scratch = mkdtempSync(join(tmpdir(), 'firestore-setup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The step that applies firestore.indexes.json: the one that runs `gcloud firestore`. */
function firestoreStep(): { step: Step; index: number } {
  const index = steps.findIndex((s) => (s.args ?? []).some((arg) => /\bgcloud firestore\b|\bindex --|\bttl /.test(arg)));
  const step = steps[index];
  if (!step) throw new Error('cloudbuild.worker.yaml has no step that runs gcloud firestore');
  return { step, index };
}

/** Cloud Build's substitution for this step: $PROJECT_ID, and $$ for a literal $. */
function substitute(text: string): string {
  return text
    .replaceAll('$$', '\u0000')
    .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, name: string) => {
      if (name !== 'PROJECT_ID') throw new Error(`the firestore step refers to $${name}, which this test does not know`);
      return 'demo-project';
    })
    .replaceAll('\u0000', '$');
}

/**
 * Runs the step's script with `gcloud` replaced by a function that records its argv and answers
 * `answer(argv)` (exit code and output), as Cloud Build would run it after substitution.
 */
function runStep(answer: (argv: string) => { code: number; output?: string } = () => ({ code: 0 })): { invocations: string[][]; status: number | null; stderr: string } {
  const { step } = firestoreStep();
  expect(step.entrypoint).toBe('bash');
  const args = (step.args ?? []).map(substitute);
  expect(args[0]).toBe('-c');
  const log = join(scratch, `gcloud-${Math.random().toString(36).slice(2)}.log`);
  const rules = [
    ['*"indexes composite create"*', answer('firestore indexes composite create')],
    ['*"fields ttls update"*', answer('firestore fields ttls update')],
    ['*"indexes fields update"*', answer('firestore indexes fields update')],
  ] as const;
  const stub = `gcloud() {
    printf '%s\\t' "$@" >> "$GCLOUD_LOG"; printf '\\n' >> "$GCLOUD_LOG"
    case "$*" in
${rules.map(([pattern, { code, output }]) => `      ${pattern}) printf '%s\\n' ${JSON.stringify(output ?? 'done')} >&2; return ${code} ;;`).join('\n')}
    esac
  }\n`;
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', stub + args[1]], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GCLOUD_LOG: log },
    timeout: 10_000,
  });
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    // no gcloud call at all
  }
  const invocations = text.split('\n').filter(Boolean).map((line) => line.split('\t').filter(Boolean));
  return { invocations, status: result.status, stderr: result.stderr };
}

const flag = (argv: string[], name: string): string[] => argv.filter((a) => a.startsWith(`${name}=`)).map((a) => a.slice(name.length + 1));
const startsWith = (argv: string[], ...words: string[]) => words.every((word, i) => argv[i] === word);

/** What firestore.indexes.json asks for that the gcloud calls do not apply (and calls it does not ask for). */
function compare(invocations: string[][], file: IndexFile): { missing: string[]; unexpected: string[] } {
  const wanted = new Map<string, string>();
  for (const index of file.indexes) {
    const fields = index.fields.map((f) => `field-path=${f.fieldPath},${f.order ? `order=${f.order.toLowerCase()}` : `array-config=${String(f.arrayConfig).toLowerCase()}`}`);
    wanted.set(`index ${index.collectionGroup} ${index.queryScope} ${fields.join(' ')}`, JSON.stringify(index));
  }
  for (const override of file.fieldOverrides) {
    if (override.ttl) wanted.set(`ttl ${override.collectionGroup} ${override.fieldPath}`, `TTL ${override.collectionGroup}.${override.fieldPath}`);
    if (override.indexes.length === 0) wanted.set(`unindexed ${override.collectionGroup} ${override.fieldPath}`, `no single-field index on ${override.collectionGroup}.${override.fieldPath}`);
  }
  const applied = new Set<string>();
  const unexpected: string[] = [];
  for (const argv of invocations) {
    expect(flag(argv, '--project')).toEqual(['demo-project']);
    let key: string | undefined;
    const group = flag(argv, '--collection-group')[0];
    if (startsWith(argv, 'firestore', 'indexes', 'composite', 'create')) {
      // Field paths keep their case; only the order keyword is case-insensitive.
      key = `index ${group} ${flag(argv, '--query-scope')[0]} ${flag(argv, '--field-config')
        .map((c) => c.replace(/order=(\w+)/, (_m, o: string) => `order=${o.toLowerCase()}`))
        .join(' ')}`;
    } else if (startsWith(argv, 'firestore', 'fields', 'ttls', 'update') && argv.includes('--enable-ttl')) {
      key = `ttl ${group} ${argv[4]}`;
    } else if (startsWith(argv, 'firestore', 'indexes', 'fields', 'update') && argv.includes('--disable-indexes')) {
      key = `unindexed ${group} ${argv[4]}`;
    }
    if (key && wanted.has(key)) applied.add(key);
    else unexpected.push(argv.join(' '));
  }
  return { missing: [...wanted].filter(([key]) => !applied.has(key)).map(([, what]) => what), unexpected };
}

describe('the Firestore step of cloudbuild.worker.yaml', () => {
  it('applies every composite index, TTL policy and index exemption of firestore.indexes.json, and nothing else', () => {
    const run = runStep();

    expect(run.stderr).not.toMatch(/error|not found/i);
    expect(run.status).toBe(0);
    expect(compare(run.invocations, indexFile)).toEqual({ missing: [], unexpected: [] });
  });

  it('notices an index or TTL of firestore.indexes.json that the step does not apply', () => {
    const { invocations } = runStep();
    const withMore: IndexFile = {
      indexes: [...indexFile.indexes, { collectionGroup: 'messages', queryScope: 'COLLECTION', fields: [{ fieldPath: 'state', order: 'ASCENDING' }, { fieldPath: 'receivedAt', order: 'ASCENDING' }] }],
      fieldOverrides: [...indexFile.fieldOverrides, { collectionGroup: 'turns', fieldPath: 'expireAt', ttl: true, indexes: [] }],
    };

    expect(compare(invocations, withMore).missing).toHaveLength(3);
  });

  it('enables the TTL on expireAt of every collection group whose expireAt firestore.indexes.json names', () => {
    const ttl = runStep().invocations.filter((argv) => startsWith(argv, 'firestore', 'fields', 'ttls', 'update'));
    const groups = indexFile.fieldOverrides.filter((o) => o.ttl).map((o) => o.collectionGroup);

    expect(groups).toEqual(expect.arrayContaining(['messages', 'conversations', 'outbound', 'claims', 'spend']));
    expect(ttl.map((argv) => `${flag(argv, '--collection-group')[0]}.${argv[4]}`).sort()).toEqual(groups.map((g) => `${g}.expireAt`).sort());
  });

  it('succeeds again when the composite indexes already exist (a second deploy)', () => {
    const run = runStep((command) =>
      command.includes('composite create') ? { code: 1, output: 'ERROR: (gcloud.firestore.indexes.composite.create) ALREADY_EXISTS: Index already exists.' } : { code: 0 },
    );

    expect(run.status).toBe(0);
    expect(compare(run.invocations, indexFile).missing).toEqual([]);
  });

  it('fails the build when gcloud refuses for any other reason', () => {
    const run = runStep((command) =>
      command.includes('composite create') ? { code: 1, output: 'ERROR: (gcloud.firestore.indexes.composite.create) PERMISSION_DENIED: missing datastore.indexes.create' } : { code: 0 },
    );

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('PERMISSION_DENIED');
  });

  it('runs beside the image build and before the deploy, which waits for it', () => {
    const { step, index } = firestoreStep();
    const deploy = steps.findIndex((s) => (s.args ?? []).some((arg) => arg.includes('gcloud run deploy')));

    expect(step.waitFor).toEqual(['-']);
    expect(index).toBeLessThan(deploy);
    // A step without waitFor waits for every step listed before it.
    expect(steps[deploy]?.waitFor).toBeUndefined();
  });
});
