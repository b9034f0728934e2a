/** The @mention suggestion list above the composer (a listbox; the textarea keeps focus and drives it with the arrow keys). */
import type { MentionCandidate } from '../state/mentions.js';

interface Props {
  items: readonly MentionCandidate[];
  active: number;
  onPick: (c: MentionCandidate) => void;
}

export function MentionSuggestions({ items, active, onPick }: Props) {
  if (items.length === 0) return null;
  return (
    <ul class="mention-list" role="listbox" id="mention-list" aria-label="Mention someone" data-testid="mention-list">
      {items.map((c, i) => (
        <li
          key={c.userId}
          role="option"
          id={`mention-${c.userId}`}
          aria-selected={i === active}
          onMouseDown={(e) => {
            e.preventDefault(); // keep the textarea's focus and caret
            onPick(c);
          }}
        >
          @{c.username}
          {c.userId === 'all' && ' (everyone)'}
        </li>
      ))}
    </ul>
  );
}
