/** A row of common emoji; arrow keys move between them, Esc closes the row. */
import { useRef } from 'preact/hooks';

export const EMOJI = ['😀', '😂', '😊', '😍', '🤔', '😢', '😮', '👍', '👏', '🙏', '🎉', '❤️', '🔥', '✅', '👀', '☕'];

export function EmojiPicker({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const row = useRef<HTMLDivElement>(null);
  const move = (e: KeyboardEvent) => {
    const buttons = [...(row.current?.querySelectorAll('button') ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const next = (i + (e.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length;
      buttons[next]?.focus();
    }
  };
  return (
    <div class="emoji-row" role="toolbar" aria-label="Emoji" ref={row} onKeyDown={move}>
      {EMOJI.map((e, i) => (
        <button key={e} type="button" class="emoji-btn" onClick={() => onPick(e)} aria-label={`Insert ${e}`} tabIndex={i === 0 ? 0 : -1}>
          {e}
        </button>
      ))}
    </div>
  );
}
