import { agentReplyLogContract } from './agent-reply-log.contract.js';
import { channelSettingsStoreContract } from './channel-settings-store.contract.js';
import type { MakeChatStore } from './chat-store.fixture.js';
import { conversationArchiveContract } from './conversation-archive.contract.js';
import { handoffLogContract } from './handoff-log.contract.js';
import { messageLogContract } from './message-log.contract.js';
import { spendLedgerContract } from './spend-ledger.contract.js';

/** A chat store adapter implements every chat capability port: it passes each port's suite. */
export function chatStoreContracts(name: string, make: MakeChatStore): void {
  messageLogContract(name, make);
  conversationArchiveContract(name, make);
  channelSettingsStoreContract(name, make);
  spendLedgerContract(name, make);
  handoffLogContract(name, make);
  agentReplyLogContract(name, make);
}
