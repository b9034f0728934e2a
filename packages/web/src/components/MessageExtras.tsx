/** What operations add to a message bubble: the quoted reply, the forward origin, "edited", reaction chips, the pin mark. */
import type { MessageView } from '@xinbox/sdk';

interface Props {
  view: MessageView;
  selfId: string | undefined;
  nameOf: (userId: string) => string | undefined;
  onToggleReaction: (emoji: string, add: boolean) => void;
}

export function QuoteBlock({ view, nameOf }: Pick<Props, 'view' | 'nameOf'>) {
  const r = view.reply;
  const f = view.forwarded;
  return (
    <>
      {f && (
        <p class="msg__forwarded" data-testid="forwarded">
          Forwarded from {nameOf(f.senderId) ?? 'someone'}
        </p>
      )}
      {r && (
        <blockquote class="msg__quote" data-testid="quote" data-quote-seq={r.seq}>
          <span class="msg__quote-who">{nameOf(r.senderId) ?? 'Someone'}</span> {r.snippet}
        </blockquote>
      )}
    </>
  );
}

export function ReactionChips({ view, selfId, nameOf, onToggleReaction }: Props) {
  const entries = Object.entries(view.reactions);
  if (entries.length === 0) return null;
  return (
    <ul class="msg__reactions" aria-label="Reactions">
      {entries.map(([emoji, who]) => {
        const mine = selfId !== undefined && who.includes(selfId);
        const names = who.map((u) => (u === selfId ? 'you' : (nameOf(u) ?? 'someone'))).join(', ');
        return (
          <li key={emoji}>
            <button
              type="button"
              class={`chip ${mine ? 'chip--mine' : ''}`}
              data-testid="reaction"
              data-emoji={emoji}
              aria-pressed={mine}
              title={names}
              onClick={() => onToggleReaction(emoji, !mine)}
            >
              {emoji} <span class="chip__count">{who.length}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

export function EditedMark({ view }: { view: MessageView }) {
  if (!view.edited && !view.pinned) return null;
  return (
    <>
      {view.pinned && <span class="msg__pinned" data-testid="pinned" title="Pinned">📌</span>}
      {view.edited && (
        <span class="msg__edited" data-testid="edited" title={`Earlier: ${view.editHistory.join(' → ')}`}>
          edited
        </span>
      )}
    </>
  );
}
