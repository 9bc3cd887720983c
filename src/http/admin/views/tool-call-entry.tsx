import type { ToolCallState } from '../../../domain/model/tool-call.js';
import type { TranscriptToolCall } from '../../../domain/use-cases/get-transcript.js';
import { formatMs, formatTime } from '../format.js';

/** A call's state as the page says it: an unknown outcome must not read as a failure that may be retried. */
const STATES: Record<ToolCallState, string> = {
  calling: 'calling…',
  ok: 'ok',
  failed: 'failed',
  unknown: 'outcome unknown — not repeated',
  invalid: 'invalid — not made',
};

/** Arguments as the model gave them: JSON pretty-printed, raw text as it came. */
const shownArguments = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value)));

/** The tool's answer pretty-printed when it is JSON (it should be), else as stored. */
function shownAnswer(answer: string): string {
  try {
    return JSON.stringify(JSON.parse(answer), null, 2);
  } catch {
    return answer;
  }
}

/** One tool call between a message and its reply: compact, with its arguments and answer folded away (text only, escaped). */
export function ToolCallEntry({ call, timeZone }: { call: TranscriptToolCall; timeZone: string }) {
  const why = call.reason ? `: ${call.reason}` : '';
  return (
    <div class="bubble tool" data-tool-call={call.callId} data-state={call.state}>
      <p>
        <code>{call.tool}</code>
        {` · ${STATES[call.state]}${why}`}
      </p>
      <small>{`Tool call · ${formatTime(call.at, timeZone)}${call.latencyMs !== undefined ? ` · ${formatMs(call.latencyMs)}` : ''}`}</small>
      <details>
        <summary>Arguments and answer</summary>
        <p>Arguments</p>
        <pre>{shownArguments(call.arguments)}</pre>
        {call.answer !== undefined && (
          <>
            <p>Answer</p>
            <pre>{shownAnswer(call.answer)}</pre>
          </>
        )}
      </details>
    </div>
  );
}
