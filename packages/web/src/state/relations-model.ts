/**
 * Friend requests and the blocklist for the Friends screen, over the
 * relationship protocol (protocol.md §18). The lists are re-read whenever a
 * relationship change reaches this device (any of the user's devices, or the
 * other side, may have changed them) and after every (re)connect.
 */
import type { FriendRequest, Relation } from '@xinbox/protocol';
import type { XinboxClient } from '@xinbox/sdk';
import { Store } from './store.js';

export interface RequestView {
  readonly requestId: string;
  readonly peerId: string;
  readonly peerName: string;
  readonly note: string;
}

export interface PersonView {
  readonly userId: string;
  readonly name: string;
}

export class RelationsModel {
  readonly incoming = new Store<readonly RequestView[]>([]);
  readonly outgoing = new Store<readonly RequestView[]>([]);
  readonly friends = new Store<readonly PersonView[]>([]);
  readonly blocked = new Store<readonly PersonView[]>([]);
  private refreshing: Promise<void> | null = null;
  private again = false;

  constructor(private readonly client: XinboxClient) {
    client.on('relationChange', () => void this.refresh());
    client.on('connected', () => void this.refresh());
  }

  /** Re-reads requests and relations (coalesced: at most one read in flight, one queued). */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = this.load().finally(() => {
      this.refreshing = null;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.refreshing;
  }

  async sendRequest(username: string, note: string): Promise<void> {
    const user = await this.find(username);
    await this.client.sendFriendRequest(user.userId, note.trim());
    await this.refresh();
  }

  async respond(requestId: string, accept: boolean): Promise<void> {
    await this.client.respondFriendRequest(requestId, accept);
    await this.refresh();
  }

  async cancel(requestId: string): Promise<void> {
    await this.client.cancelFriendRequest(requestId);
    await this.refresh();
  }

  async removeFriend(userId: string): Promise<void> {
    await this.client.removeFriend(userId);
    await this.refresh();
  }

  async block(username: string): Promise<void> {
    const user = await this.find(username);
    await this.client.block(user.userId, true);
    await this.refresh();
  }

  async unblock(userId: string): Promise<void> {
    await this.client.block(userId, false);
    await this.refresh();
  }

  private async find(username: string): Promise<{ userId: string }> {
    const name = username.trim().toLowerCase();
    if (!name) throw new Error('Enter a username.');
    const user = await this.client.lookupUser(name);
    if (!user) throw new Error(`No user named ${name}.`);
    return user;
  }

  private async load(): Promise<void> {
    const [requests, relations] = await Promise.all([this.client.listFriendRequests(), this.client.listRelations()]);
    const unknown = requests.outgoing.map((r) => r.toId);
    const profiles = unknown.length > 0 ? await this.client.getProfiles(unknown) : [];
    const nameOf = new Map(profiles.map((p) => [p.userId, p.displayName || p.username]));
    const view = (r: FriendRequest, incoming: boolean): RequestView => {
      const peerId = incoming ? r.fromId : r.toId;
      const peerName = incoming ? (r.fromProfile?.displayName || r.fromProfile?.username || peerId) : (nameOf.get(peerId) ?? peerId);
      return { requestId: r.requestId, peerId, peerName, note: r.note };
    };
    const person = (r: Relation): PersonView => ({ userId: r.userId, name: r.remark || r.profile?.displayName || r.profile?.username || r.userId });
    this.incoming.set(requests.incoming.map((r) => view(r, true)));
    this.outgoing.set(requests.outgoing.map((r) => view(r, false)));
    this.friends.set(relations.filter((r) => r.friend).map(person));
    this.blocked.set(relations.filter((r) => r.blocked).map(person));
  }
}
