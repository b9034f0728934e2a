/**
 * The user's own settings per conversation (pin, mute, archive, mark unread,
 * draft; protocol.md §11.1), the same on every device: first from the list
 * (each summary carries them), then from 'conversationSettings' events that
 * the SDK delivers for changes made here, in another tab or on another device.
 */
import type { ConversationSettings, ConversationSummary } from '@xinbox/protocol';
import type { ConversationSettingsPatch, XinboxClient } from '@xinbox/sdk';
import { Store } from './store.js';

/** Drafts are saved this long after the last keystroke (each save is a feed entry). */
export const DRAFT_SAVE_DELAY_MS = 600;

export class ConversationSettingsModel {
  readonly byId = new Store<ReadonlyMap<string, ConversationSettings>>(new Map());
  private readonly draftTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly client: XinboxClient, private readonly onError: (text: string) => void) {
    client.on('conversationSettings', (s) => this.put(s));
  }

  /** Settings carried on a list page; a newer event already applied wins. */
  learn(list: readonly ConversationSummary[]): void {
    let next: Map<string, ConversationSettings> | null = null;
    for (const c of list) {
      const s = c.settings;
      if (!s) continue;
      const known = (next ?? this.byId.value).get(s.conversationId);
      if (known && known.updatedAt >= s.updatedAt) continue;
      next ??= new Map(this.byId.value);
      next.set(s.conversationId, s);
    }
    if (next) this.byId.set(next);
  }

  of(conversationId: string): ConversationSettings | undefined {
    return this.byId.value.get(conversationId);
  }

  change(conversationId: string, patch: ConversationSettingsPatch): Promise<void> {
    return this.client.setConversationSettings(conversationId, patch).then(
      (s) => this.put(s),
      (e: unknown) => this.onError(`Could not change the conversation: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /** The composer's text changed: saved after a pause, so other tabs and devices restore it. */
  saveDraft(conversationId: string, text: string): void {
    const at = Date.now();
    clearTimeout(this.draftTimers.get(conversationId));
    this.draftTimers.set(conversationId, setTimeout(() => {
      this.draftTimers.delete(conversationId);
      if ((this.of(conversationId)?.draft ?? '') !== text) void this.change(conversationId, { draft: text, draftAt: at });
    }, DRAFT_SAVE_DELAY_MS));
  }

  private put(s: ConversationSettings): void {
    const known = this.byId.value.get(s.conversationId);
    if (known && known.updatedAt > s.updatedAt) return;
    const next = new Map(this.byId.value);
    next.set(s.conversationId, s);
    this.byId.set(next);
  }
}

/** Telegram's rule: an archived conversation that is not muted and has unread comes back to the main list. */
export function inArchive(c: ConversationSummary, s: ConversationSettings | undefined): boolean {
  return !!s?.archived && (s.muted || c.unread === 0);
}

/** Pinned first (most recently pinned first), then the list's own order. */
export function pinnedFirst<T extends ConversationSummary>(list: readonly T[], settings: ReadonlyMap<string, ConversationSettings>): T[] {
  const pin = (c: T) => settings.get(c.conversationId)?.pinnedAt ?? 0;
  return list.map((c, i) => ({ c, i })).sort((a, b) => pin(b.c) - pin(a.c) || a.i - b.i).map((x) => x.c);
}
