import type { ChannelSettings } from '../../domain/model/channel-settings.js';
import type { ChannelSettingsStore } from '../../domain/ports/channel-settings-store.js';
import { translateError } from './chat-store-unavailable-error.js';
import type { ChatCollections } from './firestore-collections.js';
import { encodeDocId, plain } from './firestore-documents.js';
import { storedSettings, withToolParameters } from './firestore-channel-tools.js';
import { channelSettingsSchema, decode } from './firestore-schemas.js';

/** Channel settings on Firestore: one document `channels/{accountId}`, replaced whole on save (tools' parameters as JSON text). */
export class FirestoreChannelSettingsStore implements ChannelSettingsStore {
  constructor(private readonly collections: ChatCollections) {}

  async channelSettings(accountId: string): Promise<ChannelSettings | null> {
    const snapshot = await this.collections.read('channelSettings', this.collections.channels.doc(encodeDocId(accountId)));
    return snapshot.exists ? decode(channelSettingsSchema, withToolParameters(snapshot)) : null;
  }

  async listChannelSettings(): Promise<ChannelSettings[]> {
    let docs;
    try {
      docs = (await this.collections.channels.orderBy('accountId').get()).docs;
    } catch (error) {
      translateError('listChannelSettings', error);
    }
    return docs.map((doc) => decode(channelSettingsSchema, withToolParameters(doc)));
  }

  async saveChannelSettings(settings: ChannelSettings): Promise<void> {
    try {
      await this.collections.channels.doc(encodeDocId(settings.accountId)).set(plain(storedSettings(settings)));
    } catch (error) {
      translateError('saveChannelSettings', error);
    }
  }
}
