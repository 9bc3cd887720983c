import { Firestore } from '@google-cloud/firestore';
import { ComposedChatStore, type ChatCapabilities } from '../composed-chat-store.js';
import { FirestoreAgentReplyLog } from './firestore-agent-reply-log.js';
import { FirestoreChannelSettingsStore } from './firestore-channel-settings-store.js';
import { ChatCollections, type FirestoreChatStoreOptions } from './firestore-collections.js';
import { FirestoreConversationArchive } from './firestore-conversation-archive.js';
import { FirestoreHandoffLog } from './firestore-handoff-log.js';
import { FirestoreMessageLog } from './firestore-message-log.js';
import { FirestoreSpendLedger } from './firestore-spend-ledger.js';
import { WrittenVersions } from './written-versions.js';

export type { FirestoreChatStoreOptions } from './firestore-collections.js';

/**
 * A Firestore client for the chat store. The SDK itself switches to FIRESTORE_EMULATOR_HOST when
 * that is set; `emulatorHost` does the same explicitly (tests), without touching the environment.
 */
export function createFirestore(projectId: string, options: { emulatorHost?: string } = {}): Firestore {
  return new Firestore({
    projectId,
    ignoreUndefinedProperties: true,
    ...(options.emulatorHost ? { host: options.emulatorHost, ssl: false } : {}),
  });
}

/**
 * The chat store on Firestore: one object the composition binds, each capability in a file of its
 * own (message log, conversation archive, channel settings, spend ledger, handoff log, agent replies)
 * over shared collections.
 * Every document read is decoded with a schema (firestore-schemas.ts).
 */
export class FirestoreChatStore extends ComposedChatStore {
  constructor(
    private readonly db: Firestore,
    options: FirestoreChatStoreOptions = {},
  ) {
    super(capabilitiesOn(new ChatCollections(db, options)));
  }

  /** Ends the client's connections (at shutdown). */
  async close(): Promise<void> {
    await this.db.terminate();
  }
}

function capabilitiesOn(collections: ChatCollections): ChatCapabilities {
  // The message log and the handoff log's claim both write messages: one cache of what was written.
  const written = new WrittenVersions();
  return {
    log: new FirestoreMessageLog(collections, written),
    archive: new FirestoreConversationArchive(collections),
    settings: new FirestoreChannelSettingsStore(collections),
    spend: new FirestoreSpendLedger(collections),
    handoff: new FirestoreHandoffLog(collections, written),
    agentReplies: new FirestoreAgentReplyLog(collections),
  };
}
