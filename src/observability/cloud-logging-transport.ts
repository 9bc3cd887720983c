import { createRequire } from 'node:module';
import type { Entry, Logging } from '@google-cloud/logging';
import { LoggingWinston } from '@google-cloud/logging-winston';
import type { ServiceContext } from '../config/service-context.js';
import { REPORTED_ERROR_EVENT, type ReportLocation } from './error-event.js';

export const TRACE_KEY = 'logging.googleapis.com/trace';
export const SPAN_ID_KEY = 'logging.googleapis.com/spanId';
export const TRACE_SAMPLED_KEY = 'logging.googleapis.com/trace_sampled';

/** Set by the logger's format on an error entry (a symbol: it never becomes a field of the line). */
export const ERROR_EVENT = Symbol('vocoeng.errorEvent');
export interface ErrorEventMark {
  reportLocation?: ReportLocation;
}

// Once per process the package adds an entry naming itself (library name and version, for
// Google's usage statistics). It is no event of ours and the one line that would not be an entry
// the code logged: it is not written. In JSON a quoted key can only be a key, never inside a value.
const DIAGNOSTIC_KEY = '"logging.googleapis.com/diagnostic"';

/** Receives each finished JSON line from the transport and writes it to the logger's stream. */
export class LogLineWriter {
  constructor(private readonly stream: NodeJS.WritableStream) {}

  write(line: string): boolean {
    if (line.includes(DIAGNOSTIC_KEY)) return true;
    return this.stream.write(line);
  }
}

export interface CloudLoggingTransportOptions {
  stream: NodeJS.WritableStream;
  projectId: string;
  serviceContext: ServiceContext;
  labels?: Record<string, string>;
}

/** `@google-cloud/logging` as the package itself requires it (its CommonJS exports, read at each `new Logging`). */
export const loggingModule = createRequire(createRequire(import.meta.url).resolve('@google-cloud/logging-winston'))('@google-cloud/logging') as { Logging: typeof Logging; Entry: typeof Entry };

/**
 * Builds `make()` while the package's `new Logging(options)` gives a stand-in with only what
 * stdout mode reads: `projectId` and the prototype's `entry()` (LogSync never uses the rest).
 * The real constructor builds the Logging and Config API gRPC clients, parsing their protos
 * (about 85 ms and 12 MB at every start), and one of them opens its channel at once, asking the
 * metadata server for credentials: none of that is needed to write lines to stdout.
 */
function withStdoutOnlyLogging<T>(make: () => T): T {
  const Real = loggingModule.Logging;
  function StdoutOnlyLogging(options: { projectId?: string }): Logging {
    return Object.assign(Object.create(Real.prototype) as Logging, { projectId: options.projectId ?? '{{projectId}}' });
  }
  loggingModule.Logging = StdoutOnlyLogging as unknown as typeof Logging;
  try {
    return make();
  } finally {
    loggingModule.Logging = Real;
  }
}

interface WinstonPayload {
  message: string;
  metadata: Record<string | symbol, unknown>;
  serviceContext?: ServiceContext;
}

/**
 * `@google-cloud/logging-winston` in its Cloud Run mode: `redirectToStdout` writes each entry as
 * one structured JSON line (Cloud Run's logging agent ingests stdout) and never calls the Logging
 * API, so nothing waits on a network. The package maps the level to `severity`, promotes the
 * `logging.googleapis.com/trace`, `spanId` and `trace_sampled` fields and `httpRequest` to the
 * entry, sets `labels`, `timestamp` and `insertId`, and for an entry with a `stack` puts the stack
 * into the message with the service context, the shape Error Reporting reads.
 */
export function cloudLoggingTransport(options: CloudLoggingTransportOptions): LoggingWinston {
  const transport = withStdoutOnlyLogging(() => new LoggingWinston({
    redirectToStdout: true,
    // false: the entry's text stays a string in jsonPayload.message (the summary line of Logs
    // Explorer, where Error Reporting looks for a stack). With true the whole payload (text and
    // fields) would be one object under `message`, and neither would find the text.
    useMessageField: false,
    projectId: options.projectId,
    logName: 'vocoeng',
    serviceContext: options.serviceContext,
    ...(options.labels ? { labels: options.labels } : {}),
  }));
  const cloudLog = transport.common.cloudLog as unknown as { transport?: unknown; logging?: object };
  if (!('transport' in cloudLog)) throw new Error('@google-cloud/logging-winston: redirectToStdout no longer writes through LogSync.transport');
  if (cloudLog.logging && 'loggingService' in cloudLog.logging) throw new Error('@google-cloud/logging-winston: no longer builds its Logging through the module export');
  cloudLog.transport = new LogLineWriter(options.stream);

  const entry = transport.common.entry.bind(transport.common);
  transport.common.entry = (metadata, data) => entry(metadata, isWinstonPayload(data) ? payloadOf(data, options.serviceContext) : data);
  return transport;
}

function isWinstonPayload(data: unknown): data is WinstonPayload {
  return typeof data === 'object' && data !== null && 'metadata' in data && 'message' in data;
}

/**
 * The package nests the entry's fields under `metadata`; they are lifted to the top of
 * jsonPayload, as the platform's logs have always had them (`jsonPayload.messageId`), with the
 * package's own keys winning. An error entry gets the ReportedErrorEvent `@type`, the service
 * context and, when it has no stack, where it was logged.
 */
function payloadOf({ metadata, ...own }: WinstonPayload, serviceContext: ServiceContext): Record<string, unknown> {
  const { stack: _inTheMessage, ...fields } = metadata;
  const payload: Record<string, unknown> = { ...fields, ...own };
  const event = metadata[ERROR_EVENT] as ErrorEventMark | undefined;
  if (event) {
    payload['@type'] = REPORTED_ERROR_EVENT;
    payload.serviceContext = serviceContext;
    if (event.reportLocation && typeof metadata.stack !== 'string') payload.context = { reportLocation: event.reportLocation };
  }
  return payload;
}
