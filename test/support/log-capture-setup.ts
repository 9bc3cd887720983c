import winston from 'winston';
import { captureLogText } from './log-sink.js';

// Every in-process logger of the run writes through a winston transport; copy each line it
// writes to the run's log scan, whatever stream the test gave it.
const MESSAGE = Symbol.for('message');
for (const Transport of [winston.transports.Stream, winston.transports.Console]) {
  const prototype = Transport.prototype as unknown as { log(info: Record<string | symbol, unknown>, next: () => void): unknown };
  const original = prototype.log;
  prototype.log = function (info, next) {
    const line = info[MESSAGE];
    if (typeof line === 'string') captureLogText(line);
    return original.call(this, info, next);
  };
}
