import { advancesDelivery, type DeliveryState, type DeliveryStatus } from './delivery-status.js';
import type { HandoffRequester } from './handoff.js';
import type { InboundMessage } from './message.js';
import type { FailureReason, NoteReason, UnsentReason } from './reasons.js';
import type { Reply } from './reply.js';
import type { ToolRound } from './tool-call.js';

/**
 * received → generating → answered → sending → sent, with the side exits `skipped` (nothing to
 * answer), `failed` (with a reason), `unsent` (the reply channel is not configured) and
 * `send-unknown` (a sender died between the send and its record: WhatsApp sends carry no
 * idempotency key, so such a reply is never blindly resent).
 */
export const MESSAGE_STATES = ['received', 'generating', 'answered', 'sending', 'sent', 'unsent', 'failed', 'send-unknown', 'skipped'] as const;

// `send-unknown` keeps its stored spelling: Firestore queries filter on stored states, and a state
// is not a wire code (the API shows it as stored, ARCHITECTURE.md names it so).
export type MessageState = (typeof MESSAGE_STATES)[number];

const TERMINAL: ReadonlySet<MessageState> = new Set(['sent', 'unsent', 'failed', 'send-unknown', 'skipped']);

export const isTerminal = (state: MessageState): boolean => TERMINAL.has(state);

export interface Failure {
  stage: 'generate' | 'send';
  reason: FailureReason;
}

export interface DeliveryInfo {
  status: DeliveryState;
  at: number;
  /** What Meta reported of the reply's price (`pricing`), kept from whichever status carried it. */
  pricingCategory?: string;
  pricingType?: string;
  pricingModel?: string;
  billable?: boolean;
  errorCode?: number;
}

type PricingInfo = Pick<DeliveryInfo, 'pricingCategory' | 'pricingType' | 'pricingModel' | 'billable'>;

function reportedPricing(status: DeliveryStatus): PricingInfo {
  const p = status.pricing;
  if (!p) return {};
  return {
    ...(p.category !== undefined ? { pricingCategory: p.category } : {}),
    ...(p.type !== undefined ? { pricingType: p.type } : {}),
    ...(p.model !== undefined ? { pricingModel: p.model } : {}),
    ...(p.billable !== undefined ? { billable: p.billable } : {}),
  };
}

const PRICING_KEYS = ['pricingCategory', 'pricingType', 'pricingModel', 'billable'] as const;

function pricingInfoOf(delivery: DeliveryInfo | undefined): PricingInfo {
  const info: PricingInfo = {};
  for (const key of PRICING_KEYS) if (delivery?.[key] !== undefined) Object.assign(info, { [key]: delivery[key] });
  return info;
}

export interface WindowTemplateSend {
  name: string;
  state: 'sending' | 'sent' | 'unsent' | 'failed' | 'unknown';
  at: number;
  outboundIds?: string[];
  reason?: FailureReason | UnsentReason;
}

/**
 * The person asked for a person (a trigger phrase, or the model's `request_human` tool): the reply
 * is the handoff text, and before it goes out the conversation is put in the "needs a human"
 * queue and the channel's notify URL is told, at most once (`notice`, claimed `sending` first;
 * `unknown` when its answer was lost or its sender died).
 */
export interface HandoffRequest {
  by: HandoffRequester;
  notice?: { state: 'sending' | 'sent' | 'failed' | 'unknown'; at: number; reason?: FailureReason };
}

/** One inbound message as stored by the chat store, with the progress of its reply. */
export interface MessageRecord {
  message: InboundMessage;
  state: MessageState;
  /** Incremented on every write: transitions are compare-and-set on it. */
  version: number;
  /** Generation attempts started so far. */
  attempts: number;
  sendAttempts: number;
  /** Epoch ms until which the holder of `generating`/`sending` owns the message; 0 when free. */
  leaseUntil: number;
  reply?: Reply;
  /** Prompts of later messages folded into this message's completion (a burst answered at once). */
  folded?: string[];
  /** The text of a voice note, once transcribed. */
  transcript?: string;
  /** Ids the channel gave the parts of the reply. */
  outboundIds: string[];
  delivery?: DeliveryInfo;
  failure?: Failure;
  /** Why nothing was answered (state `skipped`), not sent (state `unsent`), or the limit reply went out. */
  note?: NoteReason;
  /** The message whose completion answered this one (state `skipped`, note `folded`): a burst answered at once. */
  foldedInto?: string;
  /** The window template sent instead of the free-form reply the channel refused (outside the 24 h window). */
  templateFallback?: string;
  /** Set when a channel's status settled a send whose answer we never got (state `sending`/`send-unknown`). */
  resolved?: { status: DeliveryState; at: number };
  /**
   * The window template sent after a late "outside the 24 h window" failure of the reply: claimed
   * (`sending`) before it is sent, so it goes out at most once; `unknown` when its answer was lost.
   */
  windowTemplate?: WindowTemplateSend;
  /** Set when this message asked for a person: its reply is the handoff text. */
  handoffRequest?: HandoffRequest;
  /** The model's tool rounds so far, each call recorded before it was made (a redelivery resumes from them). */
  toolRounds?: ToolRound[];
  /** True once the interaction event of the terminal state has been published. */
  recorded: boolean;
  updatedAt: number;
}

export type MessagePatch = Partial<Omit<MessageRecord, 'message' | 'version'>>;

export function newRecord(message: InboundMessage, now: number): MessageRecord {
  return { message, state: 'received', version: 1, attempts: 0, leaseUntil: 0, sendAttempts: 0, outboundIds: [], recorded: false, updatedAt: now };
}

export type NextStep = 'generate' | 'send' | 'wait' | 'mark-send-unknown' | 'record' | 'done';

/** What a delivery of this message should do now, given what is stored. */
export function nextStep(record: MessageRecord, now: number): NextStep {
  const leaseLive = record.leaseUntil > now;
  switch (record.state) {
    case 'received':
      return 'generate';
    case 'generating':
      return leaseLive ? 'wait' : 'generate';
    case 'answered':
      return 'send';
    case 'sending':
      return leaseLive ? 'wait' : 'mark-send-unknown';
    default:
      return record.recorded ? 'done' : 'record';
  }
}

/**
 * The delivery after `status`: never regressing, keeping what Meta reported of the price, and
 * taking pricing fields the stored delivery lacks from an older status. `delivery` is undefined
 * when nothing changes.
 */
export function deliveryAfter(current: DeliveryInfo | undefined, status: DeliveryStatus): { result: 'applied' | 'stale'; delivery?: DeliveryInfo } {
  const reported = reportedPricing(status);
  if (!advancesDelivery(current?.status, status.status)) {
    // A late status still fills in what the stored delivery lacks (the category may come only with `sent`).
    const gained = current && Object.keys(reported).some((key) => !(key in current));
    return gained ? { result: 'stale', delivery: { ...reported, ...current } } : { result: 'stale' };
  }
  const pricing = { ...pricingInfoOf(current), ...reported };
  const errorCode = status.errors?.[0]?.code;
  return {
    result: 'applied',
    delivery: {
      status: status.status,
      at: status.at,
      ...pricing,
      ...(errorCode !== undefined ? { errorCode } : {}),
    },
  };
}

/** What `register` answers for a message whose conversation was erased after it was claimed. */
export function erasedRecord(message: InboundMessage, now: number): MessageRecord {
  // Recorded: an erased participant must not reappear in analytics through a late redelivery.
  return { ...newRecord(message, now), state: 'skipped', note: 'erased', recorded: true };
}
