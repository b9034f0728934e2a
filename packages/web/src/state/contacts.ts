/**
 * Starting chats and managing groups, by username. The protocol takes user
 * ids and has no lookup by name, so a name is resolved by opening the direct
 * conversation with that user (which also makes them a contact whose
 * presence can be watched).
 */
import { Errors, XinboxError, type GroupInfo, type GroupMember } from '@xinbox/protocol';
import type { XinboxClient } from '@xinbox/sdk';
import type { Directory } from './directory.js';

export interface ContactsDeps {
  readonly client: XinboxClient;
  readonly directory: Directory;
  /** The logged-in user's name (never resolved as a member). */
  readonly selfName: () => string | undefined;
  /** The conversation list changed on the server: show it. */
  readonly listChanged: () => void;
}

export class Contacts {
  constructor(private readonly deps: ContactsDeps) {}

  /** Opens (creating if needed) the one-to-one chat with a user; returns its id. */
  async openDirect(username: string): Promise<string> {
    const s = await this.deps.client.openDirect({ username: username.trim().toLowerCase() });
    if (s.title) this.deps.directory.learnName(s.peerId, s.title);
    this.deps.listChanged();
    return s.conversationId;
  }

  /** Creates a group with members given by username; returns its conversation id. */
  async createGroup(name: string, usernames: readonly string[]): Promise<string> {
    const ids = await this.resolveUsernames(usernames);
    const info = await this.deps.client.createGroup(name.trim(), ids);
    return this.afterGroupChange(info, '');
  }

  async joinGroup(conversationId: string): Promise<string> {
    const id = conversationId.trim();
    if (!/^\d+$/.test(id)) throw new Error('A group id is a number.');
    try {
      return await this.afterGroupChange(await this.deps.client.joinGroup(id), id);
    } catch (err) {
      if (isError(err, Errors.PENDING_APPROVAL.code)) throw new Error('Request sent: an admin of the group has to approve it.', { cause: err });
      if (isError(err, Errors.ALREADY_MEMBER.code)) return id;
      throw err;
    }
  }

  async inviteToGroup(conversationId: string, usernames: readonly string[]): Promise<void> {
    const ids = await this.resolveUsernames(usernames);
    await this.deps.client.inviteToGroup(conversationId, ids);
  }

  groupInfo(conversationId: string): Promise<GroupInfo> {
    return this.deps.client.getGroup(conversationId);
  }

  /** The group's members (first 200), teaching the directory their names. */
  async groupMembers(conversationId: string): Promise<GroupMember[]> {
    const list = await this.deps.client.groupMembers(conversationId, { limit: 200 });
    for (const m of list.members) this.deps.directory.learnName(m.userId, m.username);
    return list.members;
  }

  async leaveGroup(conversationId: string): Promise<void> {
    await this.deps.client.leaveGroup(conversationId);
    this.deps.listChanged();
  }

  private async resolveUsernames(usernames: readonly string[]): Promise<string[]> {
    const self = this.deps.selfName();
    const names = [...new Set(usernames.map((u) => u.trim().toLowerCase()).filter((u) => u && u !== self))];
    const ids: string[] = [];
    for (const name of names) {
      try {
        const s = await this.deps.client.openDirect({ username: name });
        this.deps.directory.learnName(s.peerId, name);
        ids.push(s.peerId);
      } catch (err) {
        if (isError(err, Errors.NOT_FOUND.code)) throw new Error(`No user named "${name}".`, { cause: err });
        throw err;
      }
    }
    return ids;
  }

  /** The new or joined group shows up in the list before the screen opens it. */
  private async afterGroupChange(info: GroupInfo | undefined, fallbackId: string): Promise<string> {
    await this.deps.client.listConversations({ limit: 100 }).catch(() => undefined);
    this.deps.listChanged();
    return info?.group?.conversationId ?? fallbackId;
  }
}

function isError(err: unknown, code: number): boolean {
  return err instanceof XinboxError && err.code === code;
}
