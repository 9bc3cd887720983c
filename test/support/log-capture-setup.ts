import { LogLineWriter } from '../../src/observability/cloud-logging-transport.js';
import { captureLogText } from './log-sink.js';

// Every in-process logger of the run writes its finished lines through a LogLineWriter; copy each
// line it writes to the run's log scan, whatever stream the test gave it.
const prototype = LogLineWriter.prototype;
const original = prototype.write;
prototype.write = function (line) {
  captureLogText(line);
  return original.call(this, line);
};
