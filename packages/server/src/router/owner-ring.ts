import type { Frame } from '@xinbox/protocol';
import { HashRing } from './hash-ring.js';
import type { NodeDirectory } from './node-directory.js';

/**
 * Which logic node owns what: conversations by id (the single writer of their
 * seqs), everything else by user. Rebuilt whenever the live set of logic
 * nodes changes; listeners learn of it so caches of moved conversations can
 * be dropped (the store's (conversation, seq) uniqueness fences the rest).
 */
export class OwnerRing {
  private readonly ring = new HashRing();
  private readonly listeners: Array<() => void> = [];

  constructor(directory: NodeDirectory) {
    const rebuild = () => {
      const logic = directory.withRole('logic').map((n) => n.nodeId).sort();
      if (logic.join() === this.ring.nodes.join()) return;
      this.ring.setMembers(logic);
      for (const l of this.listeners) l();
    };
    directory.onChange(rebuild);
  }

  get nodes(): readonly string[] {
    return this.ring.nodes;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  ownerOfConversation(conversationId: string | number): string | null {
    return this.ring.owner(`c:${conversationId}`);
  }

  ownerOfUser(userId: number): string | null {
    return this.ring.owner(`u:${userId}`);
  }

  /** The shop's router (customer service): one node decides for a shop. */
  ownerOfShop(shopId: string | number): string | null {
    return this.ring.owner(`s:${shopId}`);
  }

  /** The node that executes a client request: the shop's router, else the conversation's owner, else the caller's. */
  ownerOfRequest(frame: Frame, userId: number): string | null {
    const v = frame.body.value as { conversationId?: unknown; shopId?: unknown } | undefined;
    // Service frames name their shop: the shop's owner routes it, even when a conversation is named too.
    if (v && typeof v.shopId === 'string' && v.shopId !== '' && v.shopId !== '0') return this.ownerOfShop(v.shopId);
    const conv = v && typeof v.conversationId === 'string' && v.conversationId !== '' && v.conversationId !== '0' ? v.conversationId : null;
    return conv ? this.ownerOfConversation(conv) : this.ownerOfUser(userId);
  }
}
