// Run once when the image is built (Dockerfile), as the user the container runs as (the cache's
// directory is per user id) and with NODE_COMPILE_CACHE set: imports every module of dist/ (and so
// every package they import) without starting anything, and leaves V8's compiled code for all of
// them in that directory. A role's cold start then reads compiled code from the image instead of
// compiling ~2,000 modules (bench/RESULTS.md: 17–25 % off each role's cold start).
import { readdirSync } from 'node:fs';
import { createRequire, flushCompileCache, getCompileCacheDir } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Modules that act when imported: the entry points, and the database thread's (a worker thread's) entry. */
const ACTING = new Set(['main.js', 'cli.js', 'provision.js', 'warm-compile-cache.js', 'adapters/postgres/pglite-thread.js']);

/** Packages dist/ loads only on demand (`require()`, at a first use) that a role may need: warmed too. */
const ON_DEMAND = ['gpt-tokenizer/encoding/cl100k_base', 'gpt-tokenizer/encoding/o200k_base'];
const require = createRequire(import.meta.url);

function modulesUnder(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modulesUnder(path, root);
    return entry.name.endsWith('.js') && !ACTING.has(relative(root, path)) ? [path] : [];
  });
}

export async function warmCompileCache(dist: string): Promise<number> {
  if (!getCompileCacheDir()) throw new Error('NODE_COMPILE_CACHE is not set: there is nowhere to leave the compiled code');
  const modules = modulesUnder(dist);
  for (const module of modules) await import(pathToFileURL(module).href);
  for (const specifier of ON_DEMAND) require(specifier);
  flushCompileCache();
  return modules.length;
}

// `node dist/warm-compile-cache.js [dir]`: dir defaults to the directory of this module (dist/).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? import.meta.dirname;
  const count = await warmCompileCache(dir);
  console.log(`compiled ${count} modules of ${dir} and their packages into ${getCompileCacheDir()}`);
}
