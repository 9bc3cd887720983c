import type { ChannelSettings } from '../../../domain/model/channel-settings.js';
import type { PageContext } from '../deps.js';
import { formatTime } from '../format.js';
import { Notice } from './form-parts.js';
import { Layout } from './layout.js';

export function ChannelsPage({ page, channels, notice }: { page: PageContext; channels: ChannelSettings[]; notice?: string | undefined }) {
  return (
    <Layout title="Channels" base={page.base} page={page} current="/channels">
      <h1>Channels</h1>
      <Notice text={notice} />
      <p class="muted">Each WhatsApp number or API account may override the configured AI settings.</p>
      {channels.length === 0 ? (
        <p class="card">No channel has settings of its own yet: every channel uses the configured defaults.</p>
      ) : (
        <div class="table-wrap card">
          <table>
            <thead>
              <tr>
                <th>Account</th>
                <th>Model</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {channels.map((channel) => (
                <tr>
                  <td>
                    <a href={`${page.base}/channels/edit?accountId=${encodeURIComponent(channel.accountId)}`}>{channel.accountId}</a>
                  </td>
                  <td>{channel.model ?? 'default'}</td>
                  <td>{formatTime(channel.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="card inline" method="get" action={`${page.base}/channels/edit`}>
        <label class="field">
          <span>Set up another channel (account id)</span>
          <input name="accountId" required placeholder="WhatsApp phone number id or API account" />
        </label>
        <button type="submit">Open</button>
      </form>
    </Layout>
  );
}
