import type { GraphRequest } from './graph-api-double.js';

// Meta's status webhooks for messages the Graph API double accepted (PROTOCOLS.md, `statuses[]`):
// the wamid it answered, the recipient the send named, and the send's `biz_opaque_callback_data`
// echoed back as Meta does. Timestamps are Unix seconds as strings.

export type StatusName = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusOptions {
  /** Graph errors of a `failed` status, e.g. `[{ code: 131047, title: 'Re-engagement message' }]`. */
  errors?: { code: number; title: string }[];
  atMs?: number;
  wabaId?: string;
}

/** The webhook body Meta posts about an accepted send; throws for a request the double did not accept. */
export function statusWebhookFor(request: GraphRequest, status: StatusName, options: StatusOptions = {}): Record<string, unknown> {
  if (request.outcome.kind !== 'accepted') throw new Error(`no status for a send the double answered ${request.outcome.kind}`);
  const body = (request.body ?? {}) as { to?: string; biz_opaque_callback_data?: string };
  const item = {
    id: request.outcome.wamid,
    status,
    timestamp: String(Math.floor((options.atMs ?? Date.now()) / 1000)),
    recipient_id: body.to ?? '',
    ...(body.biz_opaque_callback_data !== undefined ? { biz_opaque_callback_data: body.biz_opaque_callback_data } : {}),
    ...(status === 'failed' ? { errors: (options.errors ?? [{ code: 131026, title: 'Message undeliverable' }]).map((e) => ({ ...e, message: e.title, error_data: { details: e.title } })) } : {}),
    ...(status === 'sent' || status === 'delivered' ? { pricing: { billable: true, pricing_model: 'PMP', category: 'service' } } : {}),
  };
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: options.wabaId ?? '102290129340398',
        changes: [
          {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: request.phoneNumberId ?? '' }, statuses: [item] },
          },
        ],
      },
    ],
  };
}

/** Where emitted webhooks go (a signed POST to a listener, a publish like the listener's…). */
export type StatusSink = (notification: Record<string, unknown>) => Promise<void>;

/**
 * Emits a `sent` status webhook for every accepted send, `delayMs` after it was answered (Meta's
 * come a moment later, so the sender has usually recorded the send by then). Failures of the sink
 * are kept in `errors`, for the test to look at, never thrown into the double.
 */
export class StatusEmitter {
  readonly errors: unknown[] = [];
  private readonly pending = new Set<Promise<void>>();
  emitted = 0;

  constructor(
    private readonly sink: StatusSink,
    private readonly delayMs = 1_000,
  ) {}

  accepted(request: GraphRequest): void {
    if (request.kind !== 'send') return;
    const done = new Promise<void>((resolve) => setTimeout(resolve, this.delayMs))
      .then(() => this.sink(statusWebhookFor(request, 'sent')))
      .then(() => void (this.emitted += 1))
      .catch((error: unknown) => void this.errors.push(error));
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Resolves once every status emitted so far has reached the sink (or failed to). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
