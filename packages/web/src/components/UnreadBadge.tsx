/** The unread count of a conversation; "@" when someone mentioned you. */
export function UnreadBadge({ count, mentions = 0 }: { count: number; mentions?: number }) {
  if (count <= 0) return null;
  return (
    <span class={`badge ${mentions > 0 ? 'badge--mention' : ''}`} data-testid="unread-badge" aria-hidden="true">
      {mentions > 0 ? '@ ' : ''}
      {count > 99 ? '99+' : count}
    </span>
  );
}
