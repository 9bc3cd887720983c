import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PORTS = join(import.meta.dirname, '../../../src/domain/ports');
/** A port wider than this is a sign it mixes capabilities: split it (see chat-store.ts). */
const MAX_MEMBERS = 8;

interface InterfaceShape {
  members: number;
  extends: string[];
}

/** The source without comments and string contents, so neither can fake a brace or a `;`. */
function codeOnly(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
}

/** Members at the top level of an interface body: each ends with `;` (or is the body's last). */
function countMembers(body: string): number {
  let depth = 0;
  let members = 0;
  let pending = false;
  for (const char of body) {
    if ('({['.includes(char)) depth++;
    else if (')}]'.includes(char)) depth--;
    if (depth === 0 && (char === ';' || char === ',')) {
      if (pending) members++;
      pending = false;
    } else if (!/\s/.test(char)) pending = true;
  }
  return members + (pending ? 1 : 0);
}

/** Every interface declared in the source, with its own member count and what it extends. */
function interfacesOf(source: string): Map<string, InterfaceShape> {
  const code = codeOnly(source);
  const found = new Map<string, InterfaceShape>();
  for (const match of code.matchAll(/\binterface\s+(\w+)(?:<[^{]*?>)?\s*(?:extends\s+([^{]+))?\{/g)) {
    let depth = 1;
    let end = match.index + match[0].length;
    for (; end < code.length && depth > 0; end++) {
      if (code[end] === '{') depth++;
      else if (code[end] === '}') depth--;
    }
    const body = code.slice(match.index + match[0].length, end - 1);
    const parents = (match[2] ?? '').split(',').map((name) => name.trim().replace(/<.*$/, '')).filter(Boolean);
    found.set(match[1]!, { members: countMembers(body), extends: parents });
  }
  return found;
}

/** Members of each interface, inherited ones included (parents found among the same files). */
function portWidths(interfaces: Map<string, InterfaceShape>): Record<string, number> {
  const width = (name: string, seen: Set<string>): number => {
    const shape = interfaces.get(name);
    if (!shape || seen.has(name)) return 0;
    return shape.members + shape.extends.reduce((sum, parent) => sum + width(parent, new Set(seen).add(name)), 0);
  };
  return Object.fromEntries([...interfaces.keys()].map((name) => [name, width(name, new Set())]));
}

const tooWide = (widths: Record<string, number>) => Object.entries(widths).filter(([, members]) => members > MAX_MEMBERS);

describe('src/domain/ports', () => {
  it(`declares no interface with more than ${MAX_MEMBERS} members when every port file is parsed`, () => {
    const interfaces = new Map<string, InterfaceShape>();
    for (const file of readdirSync(PORTS).filter((name) => name.endsWith('.ts'))) {
      for (const [name, shape] of interfacesOf(readFileSync(join(PORTS, file), 'utf8'))) interfaces.set(name, shape);
    }
    const widths = portWidths(interfaces);

    expect(widths).toMatchObject({ MessageLog: 6, ConversationArchive: 6, ChannelSettingsStore: 3, SpendLedger: 3, AdminUsers: 6 });
    expect(tooWide(widths)).toEqual([]);
  });

  it('counts a ninth member, multi-line signatures and inherited members, and ignores comments and nested types, when a port grows', () => {
    const source = `
      /** A port; with a comment; that { has braces }. */
      export interface Base { one(): void; two(x: { a: string; b: number }): Promise<void> }
      export interface Wide extends Base {
        // three(): void; is only a comment
        three(
          a: string,
          b: { c: number; d: number },
        ): Promise<{ e: string; f: number }>;
        four: (value: string) => void;
        readonly five: string;
        six?: number;
        seven(): void;
        eight(): ';' ;
        nine(): void
      }`;

    const widths = portWidths(interfacesOf(source));

    expect(widths).toEqual({ Base: 2, Wide: 9 });
    expect(tooWide(widths)).toEqual([['Wide', 9]]);
  });
});
