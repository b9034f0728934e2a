/** The groups and live-rooms calls of the admin console (admin-group-routes.ts, admin-room-routes.ts). */
import type { AdminApi } from './admin-api.js';

export interface AdminGroup {
  readonly groupId: string;
  readonly name: string;
  readonly ownerId: string;
  readonly memberCount: number;
  readonly dissolved: boolean;
}
export interface AdminGroupMember {
  readonly userId: string;
  readonly username: string;
  readonly role: 'owner' | 'admin' | 'member';
  readonly joinedAt: number;
}
export interface AdminGroupListing {
  readonly groupId: string;
  readonly title: string;
  readonly memberCount: number;
  readonly updatedAt: number;
}
export interface AdminRoom {
  /** The room's key: its id for a default-app room, `<appId>~<id>` for another app's (what close takes). */
  readonly roomId: string;
  readonly appId: string;
  /** The id the app's clients use. */
  readonly clientRoomId: string;
  readonly localViewers: number;
  readonly audience: number;
  readonly viewerIds: readonly string[];
}

export async function getGroup(api: AdminApi, groupId: string): Promise<{ group: AdminGroup; members: AdminGroupMember[] }> {
  return (await api.call('GET', `/v1/admin/groups/${encodeURIComponent(groupId)}`)) as { group: AdminGroup; members: AdminGroupMember[] };
}

export async function groupsOf(api: AdminApi, userId: string): Promise<AdminGroupListing[]> {
  return ((await api.call('GET', `/v1/admin/users/${encodeURIComponent(userId)}/groups`)) as { groups: AdminGroupListing[] }).groups;
}

export async function removeMember(api: AdminApi, groupId: string, userId: string): Promise<void> {
  await api.call('POST', `/v1/admin/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(userId)}/remove`);
}

export async function dissolveGroup(api: AdminApi, groupId: string): Promise<void> {
  await api.call('POST', `/v1/admin/groups/${encodeURIComponent(groupId)}/dissolve`);
}

export async function liveRooms(api: AdminApi): Promise<AdminRoom[]> {
  return ((await api.call('GET', '/v1/admin/rooms')) as { rooms: AdminRoom[] }).rooms;
}

export async function closeRoom(api: AdminApi, roomId: string): Promise<void> {
  await api.call('POST', `/v1/admin/rooms/${encodeURIComponent(roomId)}/close`);
}
