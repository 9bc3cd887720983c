import type { ArgumentSchemas } from '../ports/argument-schemas.js';
import { isHttpUrl } from './http-url.js';

/** At most this many tools per channel: each one is described to the model in every prompt. */
export const TOOLS_MAX = 10;
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The built-in handoff tool (HandoffSettings.tool): a channel's own tool may not take its name. */
export const RESERVED_TOOL_NAMES: ReadonlySet<string> = new Set(['request_human']);
export const TOOL_DESCRIPTION_MAX = 1024;
export const TOOL_PARAMETERS_MAX_BYTES = 16 * 1024;
export const TOOL_TIMEOUT_MIN_MS = 100;
export const TOOL_TIMEOUT_MAX_MS = 60_000;

const TOOL_FIELDS: ReadonlySet<string> = new Set(['name', 'description', 'parameters', 'url', 'timeoutMs']);
/** Enough to fix a form in one go without a wall of text. */
const PROBLEMS_SHOWN = 5;

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Why a channel's `tools` cannot be saved, or null. Each problem names its tool. `schemas` (when
 * given) also compiles each tool's parameters, so a schema that could not check arguments is
 * refused when it is saved rather than on the first call.
 */
export function toolsProblem(tools: unknown, schemas?: ArgumentSchemas): string | null {
  if (!Array.isArray(tools) || tools.length > TOOLS_MAX) return `must be a list of at most ${TOOLS_MAX} tools`;
  const problems: string[] = [];
  const seen = new Set<string>();
  tools.forEach((tool: unknown, index) => {
    const named = isPlainObject(tool) && typeof tool.name === 'string' && tool.name ? `tool ${JSON.stringify(tool.name)}` : `tool ${index + 1}`;
    const problem = toolProblem(tool, seen, schemas);
    if (problem) problems.push(`${named}: ${problem}`);
  });
  if (problems.length === 0) return null;
  const more = problems.length > PROBLEMS_SHOWN ? ` (and ${problems.length - PROBLEMS_SHOWN} more)` : '';
  return problems.slice(0, PROBLEMS_SHOWN).join('; ') + more;
}

function toolProblem(tool: unknown, seen: Set<string>, schemas?: ArgumentSchemas): string | null {
  if (!isPlainObject(tool)) return 'must be an object {name, description, parameters, url, timeoutMs?}';
  const unknown = Object.keys(tool).find((key) => !TOOL_FIELDS.has(key));
  if (unknown !== undefined) return `unknown field ${JSON.stringify(unknown)} (a tool has name, description, parameters, url, timeoutMs)`;
  const { name, description, parameters, url, timeoutMs } = tool;
  if (typeof name !== 'string' || !TOOL_NAME_PATTERN.test(name)) return 'name must be 1 to 64 letters, digits, _ or -';
  if (RESERVED_TOOL_NAMES.has(name)) return 'the name is reserved for the built-in handoff tool';
  if (seen.has(name)) return 'the name is used by another tool';
  seen.add(name);
  if (typeof description !== 'string' || !description.trim() || description.length > TOOL_DESCRIPTION_MAX) return `description must be 1 to ${TOOL_DESCRIPTION_MAX.toLocaleString('en')} characters`;
  const parametersIssue = parametersProblem(parameters, schemas);
  if (parametersIssue) return `parameters ${parametersIssue}`;
  if (!isHttpUrl(url)) return 'url must be an http(s) URL of at most 2,048 characters';
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && (timeoutMs as number) >= TOOL_TIMEOUT_MIN_MS && (timeoutMs as number) <= TOOL_TIMEOUT_MAX_MS)) {
    return `timeoutMs must be a whole number from ${TOOL_TIMEOUT_MIN_MS} to ${TOOL_TIMEOUT_MAX_MS.toLocaleString('en')}`;
  }
  return null;
}

function parametersProblem(parameters: unknown, schemas?: ArgumentSchemas): string | null {
  if (!isPlainObject(parameters) || parameters.type !== 'object') return 'must be a JSON Schema whose type is "object"';
  if (new TextEncoder().encode(JSON.stringify(parameters)).length > TOOL_PARAMETERS_MAX_BYTES) return `must be at most ${TOOL_PARAMETERS_MAX_BYTES / 1024} KiB as JSON`;
  const problem = schemas?.schemaProblem(parameters);
  return problem ? `is not a usable JSON Schema: ${problem}` : null;
}
