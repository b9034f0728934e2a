import { Errors, Limits, XinboxError } from '@xinbox/protocol';
import type { UserId } from '../model.js';
import type { PrivacyRecord, ProfileRecord } from '../ports/social-store.js';

/**
 * Defaults for a user who never changed anything: reachable by anyone, as
 * before profiles existed ("anyone" presence still means "users who share a
 * conversation with me"; presence was never public).
 */
export const DEFAULT_PRIVACY: PrivacyRecord = Object.freeze({
  messageFrom: 'anyone', groupInviteFrom: 'anyone', presenceTo: 'anyone', friendRequestFrom: 'anyone',
});

export function defaultProfile(userId: UserId): ProfileRecord {
  return { userId, displayName: '', avatarUrl: '', bio: '', privacy: DEFAULT_PRIVACY, updatedAt: 0 };
}

export const PROFILE_LIMITS = Object.freeze({ displayName: 64, bio: 500, note: 200, remark: 64 });

export function checkText(value: string, max: number, field: string): string {
  const v = value.trim();
  // Code points, not UTF-16 units, so a CJK or emoji name gets the same allowance.
  if ([...v].length > max) throw new XinboxError(Errors.INVALID_ARGUMENT, `${field} is longer than ${max} characters`);
  if (/\p{Cc}/u.test(v)) throw new XinboxError(Errors.INVALID_ARGUMENT, `${field} contains control characters`);
  return v;
}

/** An avatar is an http(s) URL for now (media ids come with the media channel); empty clears it. */
export function checkAvatarUrl(url: string): string {
  const v = url.trim();
  if (v === '') return v;
  if (v.length > Limits.maxUrlLength || !/^https?:\/\/[^\s]+$/.test(v)) {
    throw new XinboxError(Errors.INVALID_ARGUMENT, `avatarUrl must be an http(s) URL of at most ${Limits.maxUrlLength} characters`);
  }
  return v;
}
