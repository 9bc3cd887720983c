import { AGENT_TEXT_MAX } from '../../../domain/use-cases/accept-agent-reply.js';
import { BOT_HANDOFF, type Handoff } from '../../../domain/model/handoff.js';
import type { Conversation } from '../../../domain/model/conversation.js';
import type { PageContext } from '../deps.js';
import { formatTime, formatWaited } from '../format.js';
import { CsrfField } from './form-parts.js';

/** What the conversation page needs to offer take over, hand back and the reply form. */
export interface HandoffControls {
  /** The signed-in user, as the agent who takes over and replies. */
  me: string;
  /** Made fresh for each rendering of the reply form: a double click or a resent form sends once. */
  idempotencyKey: string;
  /** Free text may be sent (`open`), else only the channel's window template (null when it has none). */
  window: { open: true } | { open: false; template: { name: string; language: string } | null };
  now: number;
  /** Why the last reply was refused, in words. */
  problem?: string | undefined;
  /** The text of a refused reply, kept for another try. */
  draft?: string | undefined;
  /** The page's transcript cursor, posted back so the answer returns to the same page. */
  cursor?: string | undefined;
}

interface PanelProps {
  page: PageContext;
  conversation: Conversation;
  controls: HandoffControls;
  timeZone: string;
}

const actionOf = (page: PageContext, conversation: Conversation, path: string) => `${page.base}/conversations/${encodeURIComponent(conversation.id)}/${path}`;

const CursorField = ({ cursor }: { cursor: string | undefined }) => (cursor ? <input type="hidden" name="cursor" value={cursor} /> : null);

/** Who answers (the bot, a person, or nobody yet while it waits for one) and the buttons that change it. */
export function HandoffPanel({ page, conversation, controls, timeZone }: PanelProps) {
  const handoff: Handoff = conversation.handoff ?? BOT_HANDOFF;
  const waiting = handoff.waitingSince;
  const takeable = handoff.mode === 'bot' || waiting !== undefined || handoff.agent !== controls.me;
  return (
    <section class="card handoff" aria-label="Who answers">
      <p>
        <strong data-mode={handoff.mode}>{handoff.mode === 'bot' ? 'the bot answers' : `a person answers: ${handoff.agent ?? 'nobody has taken it yet'}`}</strong>
      </p>
      {waiting !== undefined && (
        <p class="waiting" data-waiting-since={String(waiting)}>
          {`Waiting for a person since ${formatTime(waiting, timeZone)} (${formatWaited(controls.now - waiting)})${handoff.requestedBy ? `, asked for by ${handoff.requestedBy === 'tool' ? 'the model' : 'a trigger phrase'}` : ''}.`}
        </p>
      )}
      <div class="inline">
        {takeable && (
          <form method="post" action={actionOf(page, conversation, 'handoff')}>
            <CsrfField token={page.csrf} />
            <CursorField cursor={controls.cursor} />
            <input type="hidden" name="action" value="take" />
            <button type="submit">Take over</button>
          </form>
        )}
        {handoff.mode === 'human' && (
          <form method="post" action={actionOf(page, conversation, 'handoff')}>
            <CsrfField token={page.csrf} />
            <CursorField cursor={controls.cursor} />
            <input type="hidden" name="action" value="release" />
            <button type="submit" class="secondary">
              Hand back to the bot
            </button>
          </form>
        )}
      </div>
    </section>
  );
}

/** The agent's reply form (a person holds the conversation), or the window template outside WhatsApp's 24 h window. */
export function ReplyBox({ page, conversation, controls }: Omit<PanelProps, 'timeZone'>) {
  const handoff = conversation.handoff ?? BOT_HANDOFF;
  const held = handoff.mode === 'human' && handoff.waitingSince === undefined;
  if (!held && !controls.problem) return null;
  const { window } = controls;
  return (
    <section class="card reply" aria-label="Reply as a person">
      {controls.problem && (
        <p class="errors" role="alert" data-problem>
          {controls.problem}
        </p>
      )}
      {!held ? null : window.open ? (
        <form method="post" action={actionOf(page, conversation, 'replies')} data-once>
          <CsrfField token={page.csrf} />
          <CursorField cursor={controls.cursor} />
          <input type="hidden" name="idempotencyKey" value={controls.idempotencyKey} />
          <label class="field">
            <span>{`Reply as ${controls.me}`}</span>
            <textarea name="text" rows={3} required maxlength={AGENT_TEXT_MAX}>
              {controls.draft ?? ''}
            </textarea>
          </label>
          <button type="submit">Send</button>
        </form>
      ) : window.template ? (
        <form method="post" action={actionOf(page, conversation, 'replies')} data-once>
          <CsrfField token={page.csrf} />
          <CursorField cursor={controls.cursor} />
          <input type="hidden" name="idempotencyKey" value={controls.idempotencyKey} />
          <input type="hidden" name="template" value="on" />
          <p>The person last wrote more than 24 hours ago: WhatsApp allows only a template until they write again.</p>
          <button type="submit">{`Send the window template (${window.template.name})`}</button>
        </form>
      ) : (
        <p data-no-template>
          {'The person last wrote more than 24 hours ago: WhatsApp allows only a template, and this channel has none. '}
          <a href={`${page.base}/channels/edit?accountId=${encodeURIComponent(conversation.accountId)}`}>Set a window template in the channel settings</a>.
        </p>
      )}
    </section>
  );
}
