import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

// The image's compile cache (Dockerfile): every module of dist/ imported once at build time, none
// of the modules that act when imported, and V8's compiled code left in NODE_COMPILE_CACHE.
const SCRIPT = join(import.meta.dirname, '../../../src/warm-compile-cache.ts');
const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))));

async function aDist(): Promise<string> {
  const dist = await mkdtemp(join(tmpdir(), 'vocoeng-warm-'));
  dirs.push(dist);
  const acting = (name: string) => `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(join(dist, `${name}.ran`))}, 'x');\n`;
  await mkdir(join(dist, 'roles'));
  await mkdir(join(dist, 'adapters/postgres'), { recursive: true });
  await writeFile(join(dist, 'package.json'), '{"type":"module"}');
  await writeFile(join(dist, 'config.js'), 'export const answer = 42;\n');
  await writeFile(join(dist, 'roles/listener.js'), "import { answer } from '../config.js';\nexport const role = () => answer;\n");
  await writeFile(join(dist, 'main.js'), acting('main'));
  await writeFile(join(dist, 'cli.js'), acting('cli'));
  await writeFile(join(dist, 'adapters/postgres/pglite-thread.js'), acting('pglite-thread'));
  return dist;
}

const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });

describe('warm-compile-cache', () => {
  it('imports every module but the acting ones and leaves their compiled code in NODE_COMPILE_CACHE', async () => {
    const dist = await aDist();
    const cache = join(dist, '.cache');
    const { stdout } = await run([dist], { NODE_COMPILE_CACHE: cache });
    expect(stdout).toContain('compiled 2 modules');
    expect(['main', 'cli', 'pglite-thread'].filter((name) => existsSync(join(dist, `${name}.ran`)))).toEqual([]);
    const [versioned] = await readdir(cache);
    expect((await readdir(join(cache, versioned!))).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses to run without NODE_COMPILE_CACHE, saying so', async () => {
    const dist = await aDist();
    await expect(run([dist], {})).rejects.toMatchObject({ stderr: expect.stringContaining('NODE_COMPILE_CACHE is not set') });
  });
});
