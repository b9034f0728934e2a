import {
  Audience as WireAudience, FriendRequestStatus as WireStatus, create,
  FriendRequestSchema, PrivacySettingsSchema, ProfileSchema, RelationSchema,
  type FriendRequest, type PrivacySettings, type Profile, type Relation,
} from '@xinbox/protocol';
import type { UserRecord } from '../model.js';
import type { Audience, FriendRequestRecord, FriendRequestStatus, PrivacyRecord, ProfileRecord, RelationRecord } from '../ports/social-store.js';

const AUDIENCE_TO_WIRE: Record<Audience, WireAudience> = {
  anyone: WireAudience.ANYONE, friends: WireAudience.FRIENDS, nobody: WireAudience.NOBODY,
};
const STATUS_TO_WIRE: Record<FriendRequestStatus, WireStatus> = {
  pending: WireStatus.PENDING, accepted: WireStatus.ACCEPTED, declined: WireStatus.DECLINED,
  cancelled: WireStatus.CANCELLED, expired: WireStatus.EXPIRED,
};

/** UNSPECIFIED (or unknown) means "keep". */
export function audienceFromWire(a: WireAudience): Audience | undefined {
  return (Object.keys(AUDIENCE_TO_WIRE) as Audience[]).find((k) => AUDIENCE_TO_WIRE[k] === a);
}

export function privacyToWire(p: PrivacyRecord): PrivacySettings {
  return create(PrivacySettingsSchema, {
    messageFrom: AUDIENCE_TO_WIRE[p.messageFrom],
    groupInviteFrom: AUDIENCE_TO_WIRE[p.groupInviteFrom],
    presenceTo: AUDIENCE_TO_WIRE[p.presenceTo],
    friendRequestFrom: AUDIENCE_TO_WIRE[p.friendRequestFrom],
  });
}

export function profileToWire(user: UserRecord, p: ProfileRecord): Profile {
  return create(ProfileSchema, {
    userId: String(user.id), username: user.username, displayName: p.displayName, avatarUrl: p.avatarUrl, bio: p.bio, updatedAt: p.updatedAt,
  });
}

/** A request as the wire shows it; a pending one past its expiry reads as EXPIRED. */
export function requestToWire(r: FriendRequestRecord, now: number, fromProfile?: Profile): FriendRequest {
  const status = r.status === 'pending' && r.expiresAt <= now ? 'expired' : r.status;
  return create(FriendRequestSchema, {
    requestId: r.id, fromId: String(r.fromId), toId: String(r.toId), note: r.note, status: STATUS_TO_WIRE[status],
    createdAt: r.createdAt, expiresAt: r.expiresAt, updatedAt: r.updatedAt, fromProfile,
  });
}

/** My relation with a peer: my row (friend, following, blocked, remark) and theirs (follower). */
export function relationToWire(peerId: number, mine: RelationRecord | undefined, theirs: RelationRecord | undefined, profile?: Profile): Relation {
  return create(RelationSchema, {
    userId: String(peerId),
    friend: mine?.friend ?? false,
    following: mine?.following ?? false,
    follower: theirs?.following ?? false,
    blocked: mine?.blocked ?? false,
    remark: mine?.remark ?? '',
    updatedAt: Math.max(mine?.updatedAt ?? 0, theirs?.updatedAt ?? 0),
    profile,
  });
}
