import winston from 'winston';
import { currentTrace } from './trace-context.js';

export type Logger = winston.Logger;

const SEVERITY: Record<string, string> = { error: 'ERROR', warn: 'WARNING', info: 'INFO', debug: 'DEBUG' };

export const TRACE_KEY = 'logging.googleapis.com/trace';
export const SPAN_ID_KEY = 'logging.googleapis.com/spanId';
export const TRACE_SAMPLED_KEY = 'logging.googleapis.com/trace_sampled';
export const LABELS_KEY = 'logging.googleapis.com/labels';

/**
 * One JSON object per line in Cloud Logging's structured format (`severity`, `message`, `time`,
 * the trace of the work in progress, plus fields). Callers pass ids and counts, never message
 * text, phone numbers or secrets.
 */
const cloudLoggingJson = (projectId: string) =>
  winston.format((info) => {
    const { level, message, ...fields } = info;
    const entry = info as Record<string | symbol, unknown>;
    for (const key of Object.keys(entry)) delete entry[key];
    Object.assign(entry, { severity: SEVERITY[level] ?? 'DEFAULT', message, time: new Date().toISOString(), ...traceFields(projectId), ...fields });
    return info;
  })();

// Formats run synchronously inside `logger.log`: winston's transports acknowledge each write at
// once, so the logger never defers one, and `currentTrace()` is the caller's (tested with a slow sink).
function traceFields(projectId: string): Record<string, unknown> {
  const trace = currentTrace();
  if (!trace) return {};
  return {
    [TRACE_KEY]: `projects/${projectId}/traces/${trace.traceId}`,
    [SPAN_ID_KEY]: trace.spanId,
    [TRACE_SAMPLED_KEY]: trace.sampled,
  };
}

export interface LoggerOptions {
  level: string;
  /** Where lines go; stdout when absent (tests pass a stream and parse the lines). */
  stream?: NodeJS.WritableStream;
  labels?: Record<string, string>;
  /** The project in `logging.googleapis.com/trace`; `local` when absent. */
  projectId?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(cloudLoggingJson(options.projectId ?? 'local'), winston.format.json()),
    defaultMeta: options.labels ? { [LABELS_KEY]: options.labels } : undefined,
    transports: [transport],
  });
}

/** Turns an unknown error into loggable fields (stack for unexpected errors only). */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = 'code' in error ? (error as { code: unknown }).code : undefined;
  return { error: error.message, errorName: error.name, ...(code !== undefined ? { errorCode: code } : {}), stack_trace: error.stack };
}
