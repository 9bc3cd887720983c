import type { Page } from '../../../domain/model/analytics.js';
import type { DeadLetter } from '../../../domain/model/dead-letter.js';
import type { PageContext } from '../deps.js';
import { formatCount, formatTime } from '../format.js';
import { CsrfField, Notice } from './form-parts.js';
import { Layout } from './layout.js';

interface DeadLettersPageProps {
  page: PageContext;
  letters: Page<DeadLetter>;
  /** True when this is not the first page. */
  paged: boolean;
  notice?: string | undefined;
}

// Ids, times and counts only: a dead letter carries the customer's message, which this page never shows.
export function DeadLettersPage({ page, letters, paged, notice }: DeadLettersPageProps) {
  const next = letters.nextCursor && `${page.base}/dead-letters?cursor=${encodeURIComponent(letters.nextCursor)}`;
  return (
    <Layout title="Dead letters" base={page.base} page={page} current="/dead-letters">
      <h1>Dead letters</h1>
      <p class="muted">
        Messages Pub/Sub gave up on after their last delivery attempt, newest first. Replay publishes one again on its topic; the worker answers a
        message at most once, so a replay never sends a second reply.
      </p>
      <Notice text={notice} />
      {letters.items.length === 0 ? (
        <p class="card">No dead letters.</p>
      ) : (
        <div class="table-wrap card">
          <table>
            <thead>
              <tr>
                <th>Dead-lettered</th>
                <th>Topic</th>
                <th>Conversation</th>
                <th class="num">Attempts</th>
                <th>Replayed</th>
                <th>Action</th>
              </tr>
            </thead>
            <tbody>
              {letters.items.map((letter) => (
                <tr data-dead-letter={letter.id}>
                  <td>{formatTime(letter.deadLetteredAt)}</td>
                  <td>{letter.topic}</td>
                  <td>
                    <code>{letter.conversationId}</code>
                  </td>
                  <td class="num">{letter.deliveryAttempts === undefined ? '—' : formatCount(letter.deliveryAttempts)}</td>
                  <td>{letter.replayedAt === null ? 'never' : `${formatTime(letter.replayedAt)} (${formatCount(letter.replays)}×)`}</td>
                  <td>
                    <ReplayForm page={page} letter={letter} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {paged && <a href={`${page.base}/dead-letters`}>First page</a>}
        {next && (
          <a href={next} rel="next">
            Older dead letters
          </a>
        )}
      </nav>
    </Layout>
  );
}

function ReplayForm({ page, letter }: { page: PageContext; letter: DeadLetter }) {
  const action = `${page.base}/dead-letters/${encodeURIComponent(letter.id)}/replay`;
  if (letter.replayedAt === null) {
    return (
      <form method="post" action={action}>
        <CsrfField token={page.csrf} />
        <button type="submit" class="small">
          Replay
        </button>
      </form>
    );
  }
  return (
    <form method="post" action={action} data-confirm="This message was replayed already. Publish it once more? The worker still answers it at most once.">
      <CsrfField token={page.csrf} />
      <input type="hidden" name="force" value="on" />
      <button type="submit" class="small secondary">
        Replay again
      </button>
    </form>
  );
}
