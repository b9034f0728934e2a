import type { UserId } from '../model.js';

/**
 * The relationship checks other features call (implemented by
 * RelationGuard). Each throws a catalogued XinboxError (BLOCKED,
 * PRIVACY_RESTRICTED) when the action is not allowed.
 */
export interface PermissionChecks {
  checkMessage(sender: UserId, recipient: UserId): Promise<void>;
  /** checkMessage, synchronous (no promise) when the answer is already known; same verdicts and errors. */
  checkMessageNow(sender: UserId, recipient: UserId): void | Promise<void>;
  checkGroupAdd(inviter: UserId, invitee: UserId): Promise<void>;
  checkPresence(viewer: UserId, user: UserId): Promise<void>;
  areFriends(a: UserId, b: UserId): Promise<boolean>;
}
