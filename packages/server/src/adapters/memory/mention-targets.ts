import type { StoredMessage, UserId } from '../../core/model.js';

/** Stands for "every member except the sender" in mention rows. User ids are positive, so 0 is free. */
export const ALL_MEMBERS: UserId = 0;

/**
 * Whom a message mentions, as the user ids of its mention rows: explicit
 * mentions other than the sender, plus ALL_MEMBERS for @all. A personalised
 * message (visibleTo) only mentions users who can see it, so there @all
 * expands to those users. Shared by the memory and SQLite adapters so both
 * count unread mentions identically.
 */
export function mentionTargets(message: StoredMessage): UserId[] {
  if (message.mentions.length === 0 && !message.mentionAll) return [];
  const visible = message.visibleTo.length > 0 ? new Set(message.visibleTo) : null;
  const users = new Set<UserId>();
  if (message.mentionAll) {
    if (visible) for (const userId of visible) users.add(userId);
    else users.add(ALL_MEMBERS);
  }
  for (const userId of message.mentions) {
    if (!visible || visible.has(userId)) users.add(userId);
  }
  users.delete(message.senderId);
  return [...users];
}
