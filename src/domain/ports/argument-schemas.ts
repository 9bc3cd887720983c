/** Checks a tool's arguments against the JSON Schema a channel gave for them. */
export interface ArgumentSchemas {
  /** Why `schema` cannot check a tool's arguments (not a valid JSON Schema of an object), or null. */
  schemaProblem(schema: Record<string, unknown>): string | null;
  /** What is wrong with `value` under `schema`, at most a few lines (empty when it fits). */
  problems(schema: Record<string, unknown>, value: unknown): string[];
}
