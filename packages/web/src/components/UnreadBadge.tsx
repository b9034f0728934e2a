/** The unread count of a conversation; "@" when someone mentioned you; grey when muted. */
export function UnreadBadge({ count, mentions = 0, muted = false }: { count: number; mentions?: number; muted?: boolean }) {
  if (count <= 0) return null;
  return (
    <span class={`badge ${mentions > 0 ? 'badge--mention' : ''} ${muted ? 'badge--muted' : ''}`} data-testid="unread-badge" aria-hidden="true">
      {mentions > 0 ? '@ ' : ''}
      {count > 99 ? '99+' : count}
    </span>
  );
}
