import { z } from '@hono/zod-openapi';
import { TOOL_CALL_STATES } from '../../domain/model/tool-call.js';

/** A tool the model called for a message, as the transcript shows it (between the message and its reply). */
export const ToolCallBody = z
  .object({
    role: z.literal('tool'),
    tool: z.string().openapi({ description: "The tool's name, as the channel's settings give it" }),
    callId: z.string().openapi({ description: 'Unique per call: the webhook-id of the request the tool got' }),
    arguments: z.unknown().openapi({ description: 'As the model gave them (JSON, or its raw text when it was not JSON)' }),
    state: z.enum(TOOL_CALL_STATES).openapi({
      description:
        '`calling`: the request left (or is about to); `ok`: answered; `failed`: refused or unreachable, not made again; `unknown`: the answer was lost (timeout, crash), never repeated; `invalid`: never made (no such tool, arguments that do not fit its schema, too many calls)',
    }),
    answer: z.string().nullable().openapi({ description: "The tool's JSON answer as stored (text, not parsed); null without one" }),
    reason: z.string().nullable().openapi({ description: 'Why there is no answer, e.g. tool_http_503, tool_outcome_unknown, tool_arguments_invalid', example: 'tool_http_503' }),
    latencyMs: z.number().nullable().openapi({ description: 'From the request leaving to its answer (or its loss); null while calling or when never made' }),
    at: z.string().openapi({ description: 'When the call started (ISO 8601)' }),
  })
  .openapi('ToolCall', {
    example: {
      role: 'tool',
      tool: 'order_status',
      callId: 'tc_01J9ZX4T4M1',
      arguments: { orderNumber: '123456' },
      state: 'ok',
      answer: '{"status":"shipped"}',
      reason: null,
      latencyMs: 412,
      at: '2025-11-24T10:15:02.120Z',
    },
  });
