import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const DOMAIN = join(import.meta.dirname, '../../../src/domain');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('src/domain', () => {
  it('imports only other domain files when its sources are scanned', () => {
    const offending = sourceFiles(DOMAIN).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)]
        .map((match) => match[1]!)
        .filter((specifier) => !specifier.startsWith('.') || !join(file, '..', specifier).startsWith(DOMAIN))
        .map((specifier) => `${relative(DOMAIN, file)} → ${specifier}`),
    );
    expect(offending).toEqual([]);
  });
});
