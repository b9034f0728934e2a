/**
 * The agent workbench's model (customer service, protocol.md §20): one shop's
 * board (queue, this agent's active conversations, the agents), re-read on
 * every ServiceEvent for that shop and after reconnects, and the agent's
 * actions (available, transfer, close).
 */
import type { ServiceBoard, ServiceConversation } from '@xinbox/protocol';
import type { XinboxClient } from '@xinbox/sdk';
import { Store } from './store.js';

export class ServiceDesk {
  readonly shopId = new Store('');
  readonly board = new Store<ServiceBoard | undefined>(undefined);
  readonly shopName = new Store('');
  readonly error = new Store('');
  private loading: Promise<void> | null = null;
  private again = false;

  constructor(private readonly client: XinboxClient) {
    client.on('service', (e) => {
      if (e.conversation.shopId === this.shopId.value) void this.refresh();
    });
    client.on('connected', () => {
      if (this.shopId.value) void this.refresh();
    });
  }

  /** Opens the workbench of a shop the user is an agent (or the admin) of. */
  async open(shopId: string): Promise<void> {
    const id = shopId.trim();
    if (!/^\d+$/.test(id)) throw new Error('A shop id is a number.');
    const shop = await this.client.getShop(id);
    this.shopId.set(id);
    this.shopName.set(shop.name);
    this.board.set(await this.client.serviceBoard(id));
  }

  /** Creates a shop (you become its admin) and opens its workbench. */
  async createShop(name: string, skills: readonly string[]): Promise<string> {
    const shop = await this.client.createShop(name.trim(), skills);
    await this.open(shop.shopId);
    return shop.shopId;
  }

  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    const id = this.shopId.value;
    this.loading = this.client.serviceBoard(id).then(
      (b) => {
        if (id === this.shopId.value) this.board.set(b);
        this.error.set('');
      },
      (e: unknown) => this.error.set(e instanceof Error ? e.message : String(e)),
    ).finally(() => {
      this.loading = null;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.loading;
  }

  async setAvailable(available: boolean): Promise<void> {
    this.board.set(await this.client.setAgentAvailable(this.shopId.value, available));
  }

  async addAgent(username: string, skills: readonly string[], capacity: number): Promise<void> {
    const user = await this.client.lookupUser(username.trim().toLowerCase());
    if (!user) throw new Error(`No user named ${username.trim()}.`);
    await this.client.setShopAgent(this.shopId.value, user.userId, { skills, capacity });
    await this.refresh();
  }

  async transfer(c: ServiceConversation, toAgentId: string): Promise<void> {
    await this.client.transferService(this.shopId.value, c.conversationId, { toAgentId: toAgentId || undefined });
    await this.refresh();
  }

  async close(c: ServiceConversation): Promise<void> {
    await this.client.closeService(this.shopId.value, c.conversationId);
    await this.refresh();
  }
}
