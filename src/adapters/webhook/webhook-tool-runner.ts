import { TOOL_ANSWER_MAX_BYTES } from '../../domain/model/tool-call.js';
import { ReplySendError, SEND_OUTCOME_UNKNOWN } from '../../domain/ports/reply-channel.js';
import type { ToolAnswer, ToolRequest, ToolRunner } from '../../domain/ports/tool-runner.js';
import { exchangeSignedWebhook, type SignedPostOptions } from './signed-post.js';

/**
 * POSTs `{tool, arguments, callId, conversationId}` to the tool's URL, signed with Standard
 * Webhooks (`webhook-id` = callId) under the callbacks' SSRF guard, and reads its JSON answer up
 * to TOOL_ANSWER_MAX_BYTES. Made once: whatever happens, the call is never repeated here.
 */
export class WebhookToolRunner implements ToolRunner {
  constructor(private readonly options: Omit<SignedPostOptions, 'timeoutMs'>) {}

  async call(request: ToolRequest, { timeoutMs }: { timeoutMs: number }): Promise<ToolAnswer> {
    const body = JSON.stringify({ tool: request.tool.name, arguments: request.arguments, callId: request.callId, conversationId: request.conversationId });
    let answer;
    try {
      answer = await exchangeSignedWebhook(new URL(request.tool.url), request.callId, body, { ...this.options, timeoutMs, maxAnswerBytes: TOOL_ANSWER_MAX_BYTES });
    } catch (error) {
      return failureOf(error);
    }
    if (answer.status < 200 || answer.status >= 300) return { outcome: 'failed', reason: `tool_http_${answer.status}` };
    if (answer.tooLarge) return { outcome: 'failed', reason: 'tool_answer_too_large' };
    try {
      // Re-serialised: the model gets compact JSON, never the tool's bytes as they came.
      return { outcome: 'ok', answer: JSON.stringify(JSON.parse(answer.body?.toString('utf8') ?? '')) };
    } catch {
      return { outcome: 'failed', reason: 'tool_answer_not_json' };
    }
  }
}

function failureOf(error: unknown): ToolAnswer {
  if (!(error instanceof ReplySendError)) return { outcome: 'unknown', reason: 'tool_outcome_unknown' };
  switch (error.reason) {
    case SEND_OUTCOME_UNKNOWN:
      return { outcome: 'unknown', reason: 'tool_outcome_unknown' };
    case 'callback_url_forbidden':
      return { outcome: 'failed', reason: 'tool_url_forbidden' };
    default:
      return { outcome: 'failed', reason: 'tool_unreachable' };
  }
}
