import type { ChannelSettings } from '../model/channel-settings.js';
import type { ChannelSettingsStore } from '../ports/channel-settings-store.js';
import type { Clock } from '../ports/clock.js';

/** Channel settings read from the chat store and kept briefly (admins' edits show within `ttlMs`). */
export class ChannelSettingsCache {
  private readonly entries = new Map<string, { at: number; settings: Promise<ChannelSettings | null> }>();

  constructor(
    private readonly store: ChannelSettingsStore,
    private readonly clock: Clock,
    private readonly ttlMs = 30_000,
  ) {}

  get(accountId: string): Promise<ChannelSettings | null> {
    const now = this.clock.now();
    const cached = this.entries.get(accountId);
    if (cached && now - cached.at < this.ttlMs) return cached.settings;
    const settings = this.store.channelSettings(accountId);
    this.entries.set(accountId, { at: now, settings });
    // A failed read is not cached: the next call tries again.
    settings.catch(() => this.entries.delete(accountId));
    return settings;
  }
}
