import winston from 'winston';

export type Logger = winston.Logger;

const SEVERITY: Record<string, string> = { error: 'ERROR', warn: 'WARNING', info: 'INFO', debug: 'DEBUG' };

/**
 * One JSON object per line on stdout in Cloud Logging's structured format (`severity`, `message`,
 * `time`, plus fields). Callers pass ids and counts, never message text, phone numbers or secrets.
 */
const cloudLoggingJson = winston.format((info) => {
  const { level, message, ...fields } = info;
  const entry = info as Record<string | symbol, unknown>;
  for (const key of Object.keys(entry)) delete entry[key];
  Object.assign(entry, { severity: SEVERITY[level] ?? 'DEFAULT', message, time: new Date().toISOString(), ...fields });
  return info;
});

export function createLogger(options: { level: string; stream?: NodeJS.WritableStream; labels?: Record<string, string> }): Logger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(cloudLoggingJson(), winston.format.json()),
    defaultMeta: options.labels ? { 'logging.googleapis.com/labels': options.labels } : undefined,
    transports: [transport],
  });
}

/** Turns an unknown error into loggable fields (stack for unexpected errors only). */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = 'code' in error ? (error as { code: unknown }).code : undefined;
  return { error: error.message, errorName: error.name, ...(code !== undefined ? { errorCode: code } : {}), stack_trace: error.stack };
}
