import type { DomainErrorCode } from './errors.js';

// Every reason stored with a message, put on the bus or counted in analytics is one of these
// unions, snake_case like the API's error codes. Codes a vendor gives us (HTTP statuses, Graph
// error codes) stay numbers inside the template literals, so the set is closed but not a list.

/** How a Graph API error is classified (PROTOCOLS.md): back off, retry later, or give up. */
export type GraphFailureReason =
  | `whatsapp_rate_limited_${number}`
  | `whatsapp_unavailable_${number}`
  | 'whatsapp_token_expired'
  | 'outside_service_window'
  | 'whatsapp_undeliverable'
  | 'whatsapp_marketing_limit'
  | 'whatsapp_marketing_opt_out'
  | 'whatsapp_experiment'
  | `whatsapp_error_${number}`
  | `whatsapp_http_${number}`;

/** Why a send failed; `send_outcome_unknown` when it may have reached the other side. */
export type SendFailureReason =
  | GraphFailureReason
  | 'whatsapp_unreachable'
  | 'callback_unreachable'
  | 'callback_url_forbidden'
  | `callback_http_${number}`
  | 'send_outcome_unknown'
  | 'delivery_failed';

export type ModelFailureReason =
  | 'empty_completion'
  | 'model_circuit_open'
  | 'model_provider_not_configured'
  | 'model_timeout'
  | 'model_unreachable'
  | 'model_auth_failed'
  | 'model_rate_limited'
  | 'model_unavailable'
  | `model_rejected_${number}`
  | 'model_call_aborted'
  | 'output_blocked';

export type MediaFailureReason =
  | 'media_id_missing'
  | 'media_checksum_mismatch'
  | 'media_invalid_response'
  | 'media_timeout'
  | 'media_unreachable'
  | 'media_too_large'
  | `media_${GraphFailureReason}`;

export type TranscriptionFailureReason = 'transcription_unavailable' | 'transcription_failed' | `transcription_failed_${number}`;

/** Why generating or sending a reply failed; an error without a finer reason gives its code. */
export type FailureReason =
  | DomainErrorCode
  | SendFailureReason
  | ModelFailureReason
  | MediaFailureReason
  | TranscriptionFailureReason
  | 'reply_channel_not_configured'
  | 'unexpected_error';

/** Why a channel deliberately did not send (state `unsent`). */
export type UnsentReason = 'no_callback_url' | 'templates_are_whatsapp_only' | 'whatsapp_sending_not_configured' | 'api_channel_not_configured';

/**
 * Why nothing was generated: content that is only recorded, an erased participant, a burst folded
 * into an earlier reply, a conversation a person has taken over (`human_mode`).
 */
export type SkipReason = 'empty_text' | 'reaction' | 'reaction_removed' | 'unsupported_type' | 'erased' | 'folded' | 'human_mode';

/** A limit that stopped the model call (the limit reply, once per window, or silence). */
export type LimitReason = 'rate_limited' | 'spend_capped';

/** The `note` of a message record: why nothing was answered, or why it was not sent. */
export type NoteReason = SkipReason | LimitReason | UnsentReason;

/** Why a reply outcome is what it is (a stable reason, never content). */
export type OutcomeReason = FailureReason | NoteReason;
