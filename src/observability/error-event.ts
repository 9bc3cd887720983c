/**
 * What turns a log entry into an Error Reporting event. Error Reporting reads Cloud Logging: an
 * entry whose jsonPayload carries this `@type` is an error event even when its message is plain
 * text, then `context.reportLocation` says where it happened; an entry with a V8 stack in its
 * message is one too. Every error-severity entry gets the `@type` and the service context, so
 * errors that are not exceptions (an expired token, an open circuit, a dead letter) are reported.
 */
export const REPORTED_ERROR_EVENT = 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent';

export interface ReportLocation {
  filePath: string;
  lineNumber: number;
  functionName: string;
}

// Frames of the logging machinery between the caller and the place the location is taken.
const MACHINERY = /[\\/]node_modules[\\/]|[\\/]observability[\\/]logger\.[jt]s$|^node:/;
const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):\d+\)?$/;

/**
 * Where the error entry being logged was logged: the first stack frame outside winston and this
 * module. Taken synchronously inside `logger.error(…)`, so the caller is still on the stack; error
 * entries are rare, so capturing a stack for each costs nothing worth measuring.
 */
export function callerLocation(): ReportLocation | undefined {
  const holder: { stack?: string } = {};
  // winston's own frames come first; the default limit of 10 frames might not reach the caller.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  try {
    Error.captureStackTrace(holder, callerLocation);
  } finally {
    Error.stackTraceLimit = limit;
  }
  for (const frame of holder.stack?.split('\n').slice(1) ?? []) {
    const match = FRAME.exec(frame);
    if (!match || MACHINERY.test(match[2]!)) continue;
    return { filePath: match[2]!.replace(/^file:\/\//, ''), lineNumber: Number(match[3]), functionName: match[1] ?? '<anonymous>' };
  }
  return undefined;
}
