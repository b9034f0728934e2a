/** "alice is typing…" under the messages. */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

export function TypingIndicator({ names }: { names: readonly string[] }) {
  const text = typingText(names);
  return (
    <div class="typing" aria-live="polite" data-testid="typing">
      {text && (
        <>
          <span class="typing__dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {text}
        </>
      )}
    </div>
  );
}
