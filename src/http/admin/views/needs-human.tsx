import type { Conversation } from '../../../domain/model/conversation.js';
import { maskedParticipant } from '../../../domain/model/masked-participant.js';
import type { PageContext } from '../deps.js';
import { formatWaited } from '../format.js';

/** The "needs a human" queue: conversations that asked for a person nobody took yet, longest waiting first. */
export function NeedsHuman({ page, waiting, now }: { page: PageContext; waiting: Conversation[]; now: number }) {
  return (
    <section class="card needs-human" aria-labelledby="needs-human">
      <h2 id="needs-human">Needs a human</h2>
      {waiting.length === 0 ? (
        <p class="muted">Nobody is waiting for a person.</p>
      ) : (
        <ul class="queue">
          {waiting.map((conversation) => {
            const since = conversation.handoff?.waitingSince ?? conversation.lastMessageAt;
            return (
              <li>
                <a href={`${page.base}/conversations/${encodeURIComponent(conversation.id)}`} data-waiting={conversation.id}>
                  {[maskedParticipant(conversation.channel, conversation.participant.id), conversation.participant.name].filter(Boolean).join(' · ')}
                </a>
                <span class="muted">{` ${conversation.channel} · ${conversation.accountId} · `}</span>
                <strong data-waited>{`waiting ${formatWaited(now - since)}`}</strong>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
