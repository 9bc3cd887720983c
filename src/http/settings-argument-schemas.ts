import { AjvArgumentSchemas } from '../adapters/json-schema/ajv-argument-schemas.js';
import type { ArgumentSchemas } from '../domain/ports/argument-schemas.js';

let shared: ArgumentSchemas | undefined;

/**
 * The JSON Schema checker both editors of channel settings use (the API's PUT, whose body schema
 * is a module constant for OpenAPI, and the dashboard's channel form): one instance, so a tool's
 * schema is compiled once however it is saved. Made on first use, not when a role is imported.
 */
export const settingsArgumentSchemas = (): ArgumentSchemas => (shared ??= new AjvArgumentSchemas());
