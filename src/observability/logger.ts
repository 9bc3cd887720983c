import winston from 'winston';
import { serviceContextOf, type ServiceContext } from '../config/service-context.js';
import { registerAccessSink } from './access-log.js';
import { ERROR_EVENT, SPAN_ID_KEY, TRACE_KEY, TRACE_SAMPLED_KEY, cloudLoggingTransport, type ErrorEventMark } from './cloud-logging-transport.js';
import { callerLocation } from './error-event.js';
import { currentTrace } from './trace-context.js';

export type Logger = winston.Logger;

export { SPAN_ID_KEY, TRACE_KEY, TRACE_SAMPLED_KEY };

/**
 * Adds what only the moment of the call knows: the trace of the work in progress and, for an
 * error, where it was logged. Formats run synchronously inside `logger.log` and the transport
 * acknowledges each write at once, so `currentTrace()` and the stack are the caller's (tested
 * with a slow sink). Callers pass ids and counts, never message text, phone numbers or secrets.
 */
const atTheCall = (projectId: string) =>
  winston.format((info) => {
    const trace = currentTrace();
    if (trace) {
      info[TRACE_KEY] = `projects/${projectId}/traces/${trace.traceId}`;
      info[SPAN_ID_KEY] = trace.spanId;
      info[TRACE_SAMPLED_KEY] = trace.sampled;
    }
    if (info.level === 'error') {
      const mark: ErrorEventMark = {};
      if (typeof info.stack !== 'string') {
        const location = callerLocation();
        if (location) mark.reportLocation = location;
      }
      (info as Record<symbol, unknown>)[ERROR_EVENT] = mark;
    } else if (info.stack !== undefined) {
      // The transport would append a `stack` to the message, and Error Reporting reports any
      // entry with a stack in its message: a warning keeps its stack in a field of its own.
      info.errorStack = info.stack;
      delete info.stack;
    }
    return info;
  })();

export interface LoggerOptions {
  level: string;
  /** Where lines go; stdout when absent (tests pass a stream and parse the lines). */
  stream?: NodeJS.WritableStream;
  labels?: Record<string, string>;
  /** The project in `logging.googleapis.com/trace`; `local` when absent. */
  projectId?: string;
  /** Error Reporting's service and version of error entries; `vocoeng` and the package version when absent. */
  serviceContext?: ServiceContext;
}

/** One JSON line per entry on stdout, in Cloud Logging's structured format (see cloud-logging-transport.ts). */
export function createLogger(options: LoggerOptions): Logger {
  const projectId = options.projectId ?? 'local';
  const stream = options.stream ?? process.stdout;
  const logger = winston.createLogger({
    level: options.level,
    format: atTheCall(projectId),
    transports: [
      cloudLoggingTransport({
        stream,
        projectId,
        serviceContext: options.serviceContext ?? serviceContextOf({}),
        ...(options.labels ? { labels: options.labels } : {}),
      }),
    ],
  });
  registerAccessSink(logger, { stream, projectId, ...(options.labels ? { labels: options.labels } : {}) });
  return logger;
}

/**
 * Turns an unknown error into loggable fields. The `stack` goes into the message of an error
 * entry (where Error Reporting reads it) and into `errorStack` of any other entry.
 */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = 'code' in error ? (error as { code: unknown }).code : undefined;
  // A domain error's reason is finer than its code (`model_timeout` beside `completion_failed`).
  const reason = 'reason' in error && typeof error.reason === 'string' && error.reason !== code ? { errorReason: error.reason } : {};
  return { error: error.message, errorName: error.name, ...(code !== undefined ? { errorCode: code } : {}), ...reason, stack: error.stack };
}
