import type { ConversationMode } from './interaction.js';

/** What asked for a person: a trigger phrase in the user's text, or the model's `request_human` tool. */
export const HANDOFF_REQUESTERS = ['trigger', 'tool'] as const;
export type HandoffRequester = (typeof HANDOFF_REQUESTERS)[number];

/**
 * Who answers a conversation, kept by the chat store beside it. The worker reads it inside the
 * claim that decides whether the model is called, so a message arriving while it changes is
 * handled by exactly one side. Changed by compare-and-set on `version`.
 */
export interface Handoff {
  mode: ConversationMode;
  /** The person who took it over (mode `human`, once taken). */
  agent?: string;
  /** When the mode last changed; 0 for a conversation that was never anything but `bot`. */
  since: number;
  /** Set while it waits in the "needs a human" queue: a person was asked for and nobody took it yet. */
  waitingSince?: number;
  requestedBy?: HandoffRequester;
  version: number;
}

/** A conversation's handoff before anything changed it. */
export const BOT_HANDOFF: Handoff = Object.freeze({ mode: 'bot', since: 0, version: 0 });

export type HandoffAction = { kind: 'take'; agent: string } | { kind: 'release' } | { kind: 'request'; by: HandoffRequester };

export type HandoffChange = Omit<Handoff, 'version'>;

/**
 * The handoff after `action` at `now`, or null when the action changes nothing: taking a
 * conversation the same agent holds, releasing one the bot answers, asking for a person in a
 * conversation a person already has (or waits for).
 */
export function handoffAfter(current: Handoff, action: HandoffAction, now: number): HandoffChange | null {
  switch (action.kind) {
    case 'take':
      if (current.mode === 'human' && current.agent === action.agent && current.waitingSince === undefined) return null;
      // Another agent taking it over, or the first taking a waiting one: the mode itself changes only from `bot`.
      return { mode: 'human', agent: action.agent, since: current.mode === 'human' ? current.since : now };
    case 'release':
      return current.mode === 'bot' ? null : { mode: 'bot', since: now };
    case 'request':
      return current.mode === 'human' ? null : { mode: 'human', since: now, waitingSince: now, requestedBy: action.by };
  }
}

/** True when the conversation ever left the bot: only then can its history hold agent replies. */
export const everHandedOff = (handoff: Handoff | undefined): boolean => (handoff?.since ?? 0) > 0;

/** Agent names are shown in the transcript and to the model: one line, bounded. */
export const AGENT_NAME_MAX = 80;

export function isAgentName(name: string): boolean {
  return name.trim().length > 0 && name.length <= AGENT_NAME_MAX && !/[\u0000-\u001f\u007f]/.test(name);
}

/** Text compared for trigger phrases: compatibility-normalised, lower case, runs of white space as one space. */
const comparable = (text: string): string => text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();

/** The first trigger phrase the text contains (any case, any spacing), or undefined. */
export function triggerIn(text: string, triggers: readonly string[]): string | undefined {
  const haystack = comparable(text);
  return triggers.find((trigger) => {
    const needle = comparable(trigger);
    return needle.length > 0 && haystack.includes(needle);
  });
}
