import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const DOMAIN = join(import.meta.dirname, '../../../src/domain');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every module specifier of a source text: static, side-effect, re-export, dynamic and require. */
function specifiersOf(source: string): string[] {
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]/g, /\brequire\s*\(\s*['"]([^'"]+)['"]/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

/**
 * Node's standard library is no framework (STYLE.md): `node:` built-ins are allowed. Everything else
 * outside src/domain (SDKs, Hono, MikroORM, inversify, our adapters) is not, nor a built-in named
 * without its `node:` prefix, which reads like a package.
 */
const allowed = (file: string, specifier: string): boolean =>
  specifier.startsWith('node:') || (specifier.startsWith('.') && join(file, '..', specifier).startsWith(`${DOMAIN}/`));

function outsideImports(file: string, source: string): string[] {
  return specifiersOf(source)
    .filter((specifier) => !allowed(file, specifier))
    .map((specifier) => `${relative(DOMAIN, file)} → ${specifier}`);
}

describe('src/domain', () => {
  it('imports only other domain files when its sources are scanned', () => {
    const files = sourceFiles(DOMAIN);
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((file) => outsideImports(file, readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('reports every kind of outside import when a file has them', () => {
    const file = join(DOMAIN, 'use-cases', 'example.ts');
    const source = [
      "import { Hono } from 'hono';",
      "import 'reflect-metadata';",
      "export * from '../../adapters/memory/system-clock.js';",
      "const orm = await import('@mikro-orm/core');",
      "const { Container } = require('inversify');",
      "import type { Clock } from '../ports/clock.js';",
    ].join('\n');
    expect(outsideImports(file, source)).toEqual([
      'use-cases/example.ts → hono',
      'use-cases/example.ts → ../../adapters/memory/system-clock.js',
      'use-cases/example.ts → reflect-metadata',
      'use-cases/example.ts → @mikro-orm/core',
      'use-cases/example.ts → inversify',
    ]);
  });

  it('reports SDKs and frameworks but allows node: built-ins when a file imports both', () => {
    const file = join(DOMAIN, 'model', 'example.ts');
    const source = [
      "import { createHash } from 'node:crypto';",
      "import { inspect } from 'node:util';",
      "const fs = await import('node:fs');",
      "import OpenAI from 'openai';",
      "import { Firestore } from '@google-cloud/firestore';",
      "import { PubSub } from '@google-cloud/pubsub';",
      "import { z } from 'zod';",
      "import { randomUUID } from 'crypto';",
    ].join('\n');
    expect(outsideImports(file, source)).toEqual([
      'model/example.ts → openai',
      'model/example.ts → @google-cloud/firestore',
      'model/example.ts → @google-cloud/pubsub',
      'model/example.ts → zod',
      'model/example.ts → crypto',
    ]);
  });
});
