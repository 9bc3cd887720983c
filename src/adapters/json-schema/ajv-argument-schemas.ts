import { createRequire } from 'node:module';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import type { ArgumentSchemas } from '../../domain/ports/argument-schemas.js';

/** Compiled schemas kept (by their JSON text): a channel's tools are few and change rarely. */
const CACHED_SCHEMAS = 256;
const PROBLEMS_SHOWN = 5;

/**
 * JSON Schema (draft 2020-12, which also reads the draft-07 schemas OpenAI's examples use) with
 * Ajv. Schemas are compiled once and kept; unknown keywords are allowed (`strict: false`), since a
 * function's parameters often carry annotations of the model vendor's own.
 */
export class AjvArgumentSchemas implements ArgumentSchemas {
  private ajvInstance?: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction | string>();

  /** Ajv is loaded on the first schema a channel gives: a worker whose channels call no tools never loads it (cold start). */
  private get ajv(): Ajv2020 {
    if (!this.ajvInstance) {
      const require = createRequire(import.meta.url);
      const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
      const addFormats = require('ajv-formats') as { default: (ajv: Ajv2020) => void };
      this.ajvInstance = new Ajv({ allErrors: true, strict: false, validateSchema: true });
      addFormats.default(this.ajvInstance);
    }
    return this.ajvInstance;
  }

  schemaProblem(schema: Record<string, unknown>): string | null {
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return 'must be a JSON Schema object';
    if (schema.type !== 'object') return 'must be a JSON Schema whose type is "object" (the arguments are an object)';
    const validate = this.compile(schema);
    return typeof validate === 'string' ? validate : null;
  }

  problems(schema: Record<string, unknown>, value: unknown): string[] {
    const validate = this.compile(schema);
    if (typeof validate === 'string') return [`the tool's schema is not usable: ${validate}`];
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, PROBLEMS_SHOWN).map((error) => `${error.instancePath || '(arguments)'} ${error.message ?? 'is not valid'}`.trim());
  }

  private compile(schema: Record<string, unknown>): ValidateFunction | string {
    const key = JSON.stringify(schema);
    const known = this.compiled.get(key);
    if (known !== undefined) return known;
    let result: ValidateFunction | string;
    try {
      result = this.ajv.compile(schema);
    } catch (error) {
      result = error instanceof Error ? error.message : String(error);
    }
    // Compiled once: a schema that does not compile is remembered as such too.
    if (this.compiled.size >= CACHED_SCHEMAS) this.compiled.delete(this.compiled.keys().next().value!);
    this.compiled.set(key, result);
    return result;
  }
}
