import type { AgentReplyLog } from './agent-reply-log.js';
import type { ChannelSettingsStore } from './channel-settings-store.js';
import type { ConversationArchive } from './conversation-archive.js';
import type { HandoffLog } from './handoff-log.js';
import type { MessageLog } from './message-log.js';
import type { SpendLedger } from './spend-ledger.js';

// Kept here too so code written against the former single port still compiles.
export type { ApplyStatusResult } from './message-log.js';
export type { ParticipantRef } from './conversation-archive.js';
export type { SpendReservation } from './spend-ledger.js';

/**
 * Every chat capability in one object: what a chat store adapter (Firestore, in memory)
 * implements and the composition binds once. Use cases ask for the capability ports they use
 * (`MessageLog`, `ConversationArchive`, `ChannelSettingsStore`, `SpendLedger`, `HandoffLog`, `AgentReplyLog`), never for this.
 */
export type ChatStore = MessageLog & ConversationArchive & ChannelSettingsStore & SpendLedger & HandoffLog & AgentReplyLog;
