import {
  GroupRole as WireRole, JoinPolicy as WirePolicy, create, GroupInfoSchema, GroupMemberListSchema, ReadReceiptsResultSchema,
  Errors, XinboxError,
} from '@xinbox/protocol';
import type { GroupService, GroupView } from '../../core/groups/group-service.js';
import type { GroupRole, JoinPolicy } from '../../core/model.js';
import type { HandlerTable, ReplyBody } from './types.js';
import { parseId, parseIds } from './ids.js';

const ROLE_TO_WIRE: Record<GroupRole, WireRole> = { member: WireRole.MEMBER, admin: WireRole.ADMIN, owner: WireRole.OWNER };
const POLICY_TO_WIRE: Record<JoinPolicy, WirePolicy> = { open: WirePolicy.OPEN, approval: WirePolicy.APPROVAL, invite: WirePolicy.INVITE_ONLY };

function policyFromWire(p: WirePolicy | undefined, dflt: JoinPolicy): JoinPolicy {
  if (p === undefined || p === WirePolicy.UNSPECIFIED) return dflt;
  const found = (Object.keys(POLICY_TO_WIRE) as JoinPolicy[]).find((k) => POLICY_TO_WIRE[k] === p);
  if (!found) throw new XinboxError(Errors.INVALID_ARGUMENT, 'unknown join policy');
  return found;
}

function roleFromWire(r: WireRole): GroupRole {
  const found = (Object.keys(ROLE_TO_WIRE) as GroupRole[]).find((k) => ROLE_TO_WIRE[k] === r);
  if (!found) throw new XinboxError(Errors.INVALID_ARGUMENT, 'unknown role');
  return found;
}

function info(v: GroupView): ReplyBody {
  const g = v.group;
  return {
    case: 'groupInfo',
    value: create(GroupInfoSchema, {
      group: {
        conversationId: String(g.conversationId),
        name: g.name,
        avatarUrl: g.avatarUrl,
        announcement: g.announcement,
        ownerId: String(g.ownerId),
        joinPolicy: POLICY_TO_WIRE[g.joinPolicy],
        memberCount: v.memberCount,
        mutedAll: g.mutedAll,
        large: v.large,
        dissolved: g.dissolved,
        lastSeq: v.lastSeq,
      },
      myRole: v.myRole ? ROLE_TO_WIRE[v.myRole] : WireRole.UNSPECIFIED,
    }),
  };
}

const OK: ReplyBody = { case: 'ok', value: {} };
const conv = (raw: string) => parseId(raw, 'conversationId');

/** Group management frames. */
export function groupHandlers(groups: GroupService): HandlerTable {
  return {
    groupCreate: async ({ caller }, v) => info(await groups.create(caller, {
      name: v.name,
      memberIds: parseIds(v.memberIds, 'memberIds'),
      joinPolicy: policyFromWire(v.joinPolicy, 'open'),
      avatarUrl: v.avatarUrl,
      announcement: v.announcement,
    })),
    groupGet: async ({ caller }, v) => info(await groups.get(caller, conv(v.conversationId))),
    groupInvite: async ({ caller }, v) => info(await groups.invite(caller, conv(v.conversationId), parseIds(v.userIds, 'userIds'))),
    groupJoin: async ({ caller }, v) => info(await groups.join(caller, conv(v.conversationId))),
    groupApprove: async ({ caller }, v) => {
      await groups.approve(caller, conv(v.conversationId), parseId(v.userId, 'userId'), v.approve);
      return OK;
    },
    groupLeave: async ({ caller }, v) => {
      await groups.leave(caller, conv(v.conversationId));
      return OK;
    },
    groupKick: async ({ caller }, v) => {
      await groups.kick(caller, conv(v.conversationId), parseIds(v.userIds, 'userIds'));
      return OK;
    },
    groupSetRole: async ({ caller }, v) => {
      await groups.setRole(caller, conv(v.conversationId), parseId(v.userId, 'userId'), roleFromWire(v.role));
      return OK;
    },
    groupTransfer: async ({ caller }, v) => {
      await groups.transfer(caller, conv(v.conversationId), parseId(v.newOwnerId, 'newOwnerId'));
      return OK;
    },
    groupDissolve: async ({ caller }, v) => {
      await groups.dissolve(caller, conv(v.conversationId));
      return OK;
    },
    groupUpdate: async ({ caller }, v) => info(await groups.update(caller, conv(v.conversationId), {
      name: v.name,
      avatarUrl: v.avatarUrl,
      announcement: v.announcement,
      joinPolicy: v.joinPolicy === undefined ? undefined : policyFromWire(v.joinPolicy, 'open'),
    })),
    groupMembers: async ({ caller }, v) => {
      const page = await groups.members(caller, conv(v.conversationId), v.afterUserId ? parseId(v.afterUserId, 'afterUserId', true) : 0, v.limit);
      return {
        case: 'groupMemberList',
        value: create(GroupMemberListSchema, {
          members: page.members.map((m) => ({ userId: String(m.userId), role: ROLE_TO_WIRE[m.role], joinedAt: m.joinedAt, mutedUntil: m.mutedUntil, username: m.username })),
          hasMore: page.hasMore,
        }),
      };
    },
    groupMute: async ({ caller }, v) => {
      await groups.mute(caller, conv(v.conversationId), v.userId ? parseId(v.userId, 'userId', true) : 0, v.mutedUntil);
      return OK;
    },
    groupSettings: async ({ caller }, v) => {
      await groups.settings(caller, conv(v.conversationId), v.doNotDisturb);
      return OK;
    },
    readReceipts: async ({ caller }, v) => {
      const r = await groups.readReceipts(caller, conv(v.conversationId), v.seq);
      return { case: 'readReceiptsResult', value: create(ReadReceiptsResultSchema, { readBy: r.readBy.map(String), readCount: r.readCount, memberCount: r.memberCount }) };
    },
  };
}
