import {
  Errors, XinboxError, create, FriendRequestsSchema, ProfileListSchema, RelationsSchema, RelationSyncResultSchema,
  type Relation,
} from '@xinbox/protocol';
import type { SocialService } from '../../core/social/social-service.js';
import { audienceFromWire } from '../../core/social/social-wire.js';
import type { HandlerTable, ReplyBody } from './types.js';
import { parseId, parseIds } from './ids.js';

const user = (raw: string) => parseId(raw, 'userId');

function text(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new XinboxError(Errors.INVALID_ARGUMENT, `${field} must be a string`);
  return v;
}

/** Profiles, privacy and relationship frames (issue #15); see docs/protocol.md "Relationships". */
export function socialHandlers(social: SocialService): HandlerTable {
  const relation = async (p: Promise<Relation>): Promise<ReplyBody> => ({ case: 'relations', value: create(RelationsSchema, { relations: [await p] }) });
  return {
    profileGet: async ({ caller }, v) => ({
      case: 'profileList', value: create(ProfileListSchema, { profiles: await social.profiles(caller.userId, parseIds(v.userIds, 'userIds')) }),
    }),
    profileUpdate: async ({ caller }, v) => ({
      case: 'profileList',
      value: create(ProfileListSchema, { profiles: [await social.updateProfile(caller.userId, { displayName: v.displayName, avatarUrl: v.avatarUrl, bio: v.bio })] }),
    }),
    privacyGet: async ({ caller }) => ({ case: 'privacySettings', value: await social.privacy(caller.userId) }),
    privacyUpdate: async ({ caller }, v) => {
      const s = v.settings;
      return {
        case: 'privacySettings',
        value: await social.updatePrivacy(caller.userId, {
          messageFrom: s ? audienceFromWire(s.messageFrom) : undefined,
          groupInviteFrom: s ? audienceFromWire(s.groupInviteFrom) : undefined,
          presenceTo: s ? audienceFromWire(s.presenceTo) : undefined,
          friendRequestFrom: s ? audienceFromWire(s.friendRequestFrom) : undefined,
        }),
      };
    },
    userLookup: async ({ caller }, v) => ({
      case: 'profileList', value: create(ProfileListSchema, { profiles: await social.lookup(caller.userId, text(v.username, 'username')) }),
    }),
    friendRequestSend: async ({ caller }, v) => ({
      case: 'friendRequestInfo', value: { request: await social.sendRequest(caller.userId, user(v.userId), v.note) },
    }),
    friendRequestRespond: async ({ caller }, v) => ({
      case: 'friendRequestInfo', value: { request: await social.respond(caller.userId, text(v.requestId, 'requestId'), v.accept) },
    }),
    friendRequestCancel: async ({ caller }, v) => ({
      case: 'friendRequestInfo', value: { request: await social.cancel(caller.userId, text(v.requestId, 'requestId')) },
    }),
    friendRequestList: async ({ caller }) => ({ case: 'friendRequests', value: create(FriendRequestsSchema, await social.pendingRequests(caller.userId)) }),
    relationList: async ({ caller }) => ({ case: 'relations', value: create(RelationsSchema, { relations: await social.relations(caller.userId) }) }),
    friendRemove: ({ caller }, v) => relation(social.removeFriend(caller.userId, user(v.userId))),
    followSet: ({ caller }, v) => relation(social.follow(caller.userId, user(v.userId), v.follow)),
    remarkSet: ({ caller }, v) => relation(social.setRemark(caller.userId, user(v.userId), v.remark)),
    blockSet: ({ caller }, v) => relation(social.block(caller.userId, user(v.userId), v.blocked)),
    relationSync: async ({ caller }, v) => ({
      case: 'relationSyncResult', value: create(RelationSyncResultSchema, await social.sync(caller.userId, v.cursor, v.limit)),
    }),
  };
}
