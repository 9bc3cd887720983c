import type { ChannelSettings } from '../model/channel-settings.js';

/** Per-channel settings edited by admins (prompt, model, limits), one document per account. */
export interface ChannelSettingsStore {
  /** The channel's own settings, or null when it has none. */
  channelSettings(accountId: string): Promise<ChannelSettings | null>;

  /** Every channel that has settings of its own, ordered by account id. */
  listChannelSettings(): Promise<ChannelSettings[]>;

  /** Replaces the channel's settings document. */
  saveChannelSettings(settings: ChannelSettings): Promise<void>;
}
