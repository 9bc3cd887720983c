import autocannon from 'autocannon';
import { metaJson, metaSignature } from './signing.js';
import { aWamid, someParties, textNotification } from './whatsapp-notifications.js';

export interface LoadOutcome {
  /** Notifications the listener answered 2xx. */
  accepted: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  requestsPerSecond: number;
  /** Every wamid put in a request (a request cut off at the end of the run may not have been sent). */
  wamids: Set<string>;
  /** The wamids of the notifications answered 2xx. */
  acceptedWamids: Set<string>;
}

/**
 * A bounded autocannon run of signed WhatsApp notifications, each with a wamid of its own, at
 * `rate` requests per second overall (unbounded when absent).
 */
export async function signedNotificationLoad(url: string, appSecret: string, options: { seconds: number; connections: number; rate?: number }): Promise<LoadOutcome> {
  const wamids = new Set<string>();
  const acceptedWamids = new Set<string>();
  const result = await autocannon({
    url: `${url}/webhooks/whatsapp`,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: Math.max(1, Math.round(options.rate)) } : {}),
    requests: [
      {
        method: 'POST',
        // One request at a time per connection: the connection's context holds the wamid in flight.
        setupRequest: (request, context: object) => {
          const wamid = aWamid();
          wamids.add(wamid);
          (context as { wamid?: string }).wamid = wamid;
          const body = metaJson(textNotification(someParties(), { id: wamid, body: 'Is the shop open on Saturday?' }));
          return { ...request, body, headers: { ...request.headers, 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body, appSecret) } };
        },
        onResponse: (status: number, _body: string, context: object) => {
          if (status >= 200 && status < 300) acceptedWamids.add((context as { wamid: string }).wamid);
        },
      },
    ],
  });
  return {
    accepted: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    requestsPerSecond: result.requests.average,
    wamids,
    acceptedWamids,
  };
}
