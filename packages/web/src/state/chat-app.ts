/**
 * The application model: one XinboxClient (one device) and the stores the
 * screens read. It turns SDK events into store updates and offers the actions
 * the screens call. Created once by the app root and handed down through
 * context; nothing here is global.
 */
import { ConversationSettingsModel } from './conversation-settings.js';
import { UploadQueue } from './uploads.js';
import { ConversationKind, Errors, QuoteSchema, XinboxError, create, type ConversationSummary } from '@xinbox/protocol';
import { isSilent, randomId, type ConnectionState, type ContentInit, type Session, type XinboxClient } from '@xinbox/sdk';
import { MessageActionsModel } from './message-actions.js';
import { Contacts } from './contacts.js';
import { contentPreview, conversationTitle, senderName } from './conversation-view.js';
import { Directory } from './directory.js';
import { MessagesStore } from './messages-store.js';
import { RoomModel } from './room-model.js';
import { RoomHost } from './room-host.js';
import { Store } from './store.js';
import type { TabStorage } from './tab-storage.js';
import type { PendingMessage } from './timeline.js';
import { TypingSender } from './typing-sender.js';
import { TypingStore } from './typing-store.js';

export interface Me {
  readonly userId: string;
  readonly username: string;
}

export interface ConnectionView {
  readonly state: ConnectionState;
  /** Connected at least once since login: later drops show "reconnecting". */
  readonly everConnected: boolean;
  /** Why the connection ended for good (kicked, session revoked). */
  readonly notice?: string;
}

export interface Announcement {
  readonly id: number;
  readonly text: string;
}

export interface ChatAppDeps {
  readonly client: XinboxClient;
  readonly tabStorage: TabStorage;
  readonly isVisible: () => boolean;
  /** Runs before the session ends (Web Push: remove this device's push token while the token still works). */
  readonly beforeLogout?: () => Promise<void>;
  /** A new message from someone else (desktop notification while the tab is hidden). */
  readonly onIncoming?: (conversationId: string, title: string, body: string) => void;
}

export class ChatApp {
  readonly client: XinboxClient;
  readonly me = new Store<Me | undefined>(undefined);
  readonly connection = new Store<ConnectionView>({ state: 'closed', everConnected: false });
  readonly conversations = new Store<readonly ConversationSummary[]>([]);
  readonly totalUnread = new Store(0);
  /** Highest read position of the other side per conversation, from ReadUpdate receipts. */
  readonly peerReads = new Store<ReadonlyMap<string, number>>(new Map());
  readonly announcement = new Store<Announcement>({ id: 0, text: '' });
  readonly messages: MessagesStore;
  readonly typing = new TypingStore();
  /** Files on their way over the media channel. */
  readonly uploads: UploadQueue;
  readonly directory = new Directory();
  readonly room: RoomModel;
  /** Live rooms this user opened here, and their host controls. */
  readonly roomHost: RoomHost;
  readonly contacts: Contacts;
  /** Pin, mute, archive, mark unread and drafts, per conversation, on every device. */
  readonly settings: ConversationSettingsModel;
  /** Reply, react, edit, recall, pin, forward (the message menu). */
  readonly ops: MessageActionsModel;
  get replyTo() {
    return this.ops.replyTo;
  }

  private readonly tabStorage: TabStorage;
  private readonly isVisible: () => boolean;
  private readonly beforeLogout: () => Promise<void>;
  private activeConversation: string | undefined;
  private readonly onIncoming: (conversationId: string, title: string, body: string) => void;
  private pendingUsername = '';
  private refreshQueued = false;
  private listRefreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly titleRefreshAsked = new Set<string>();
  private readonly markingRead = new Set<string>();
  private readonly namesFetched = new Set<string>();
  private presenceWatched = '';
  private readonly typingSender: TypingSender;

  constructor(deps: ChatAppDeps) {
    this.client = deps.client;
    this.tabStorage = deps.tabStorage;
    this.isVisible = deps.isVisible;
    this.beforeLogout = deps.beforeLogout ?? (async () => undefined);
    this.onIncoming = deps.onIncoming ?? (() => undefined);
    this.messages = new MessagesStore((id, beforeSeq, limit) => this.client.history(id, { beforeSeq, limit }));
    this.room = new RoomModel(this.client);
    this.roomHost = new RoomHost(this.client);
    this.typingSender = new TypingSender(this.client);
    this.settings = new ConversationSettingsModel(this.client, (text) => this.announce(text));
    this.ops = new MessageActionsModel(this.client, (text) => this.announce(text));
    this.uploads = new UploadQueue(this.client, (conversationId, content) => this.send(conversationId, content));
    this.contacts = new Contacts({
      client: this.client,
      directory: this.directory,
      selfName: () => this.me.value?.username,
      listChanged: () => this.queueRefresh(),
    });
    this.wire();
  }

  // ------------------------------------------------------------ session

  /** Resumes the login saved in this tab, if any. */
  resume(): boolean {
    const saved = this.tabStorage.loadLogin();
    if (!saved) return this.joinBrowserLogin();
    this.pendingUsername = saved.username;
    this.client.setSession(saved.session);
    this.me.set({ userId: saved.session.userId, username: saved.username });
    this.startConnection();
    return true;
  }

  /** A new tab of a logged-in browser: a session of its own from the shared access token (no password). */
  private joinBrowserLogin(): boolean {
    const shared = this.tabStorage.loadShared();
    if (!shared) return false;
    this.pendingUsername = shared.username;
    this.me.set({ userId: shared.userId, username: shared.username });
    this.client.loginFromDevice(shared.accessToken).then(
      () => this.startConnection(),
      () => this.resetLocal(),
    );
    return true;
  }

  async register(username: string, password: string): Promise<void> {
    await this.client.register(username, password);
    await this.login(username, password);
  }

  async login(username: string, password: string): Promise<void> {
    this.pendingUsername = username.trim().toLowerCase();
    const s = await this.client.login(username, password);
    this.me.set({ userId: s.userId, username: this.pendingUsername });
    this.connection.set({ state: this.client.state, everConnected: false });
    this.startConnection();
  }

  async logout(): Promise<void> {
    await this.room.leave();
    await this.beforeLogout().catch(() => undefined);
    try {
      await this.client.logout();
    } catch {
      // The server may be unreachable; the local session is dropped anyway.
      await this.client.close();
    }
    this.resetLocal();
  }

  private startConnection(): void {
    this.client.connect().catch((err: unknown) => {
      // connect() rejects only when retrying is pointless (credentials gone, kicked for good).
      const msg = err instanceof Error ? err.message : String(err);
      if (isSessionGone(err)) {
        this.resetLocal();
        this.connection.set({ state: 'closed', everConnected: false, notice: 'Your session ended. Please log in again.' });
      } else {
        this.connection.update((c) => ({ ...c, notice: msg }));
      }
    });
  }

  private resetLocal(): void {
    this.tabStorage.saveLogin(undefined);
    this.me.set(undefined);
    this.messages.clear();
    this.typing.clear();
    this.directory.clear();
    this.conversations.set([]);
    this.totalUnread.set(0);
    this.peerReads.set(new Map());
    this.titleRefreshAsked.clear();
    this.namesFetched.clear();
    this.presenceWatched = '';
    this.connection.set({ state: 'closed', everConnected: false });
  }

  // ------------------------------------------------------------ SDK events

  private wire(): void {
    const c = this.client;
    c.on('state', (state) => {
      this.connection.update((v) => ({ ...v, state, everConnected: v.everConnected || state === 'connected', notice: state === 'connected' ? undefined : v.notice }));
    });
    c.on('session', (s) => this.persistSession(s));
    c.on('messagesHidden', (h) => this.messages.hide(h.conversationId, h.seqs));
    c.on('connected', (ok) => {
      this.directory.setOnline(ok.userId, true);
      this.queueRefresh();
      // Presence may have changed while we were away: ask again.
      this.presenceWatched = '';
    });
    c.on('synced', () => this.queueRefresh());
    c.on('conversation', (s) => {
      this.queueRefresh();
      this.askForTitle(s);
      if (s.conversationId === this.activeConversation) this.markReadIfViewing();
    });
    c.on('unread', (total) => this.totalUnread.set(total));
    c.on('group', (g) => {
      const id = g.group?.conversationId;
      if (!id) return;
      this.namesFetched.delete(id);
      if (id === this.activeConversation) this.learnGroupNames(id);
      this.queueRefresh();
    });
    c.on('message', (m) => {
      this.messages.deliver(m);
      this.typing.set(m.conversationId, m.senderId, false);
      const self = this.me.value?.userId;
      // Operations (reactions, edits, recalls, pins) are folded into their messages, not announced as new ones.
      if (m.senderId !== self && m.content?.kind.case !== 'system' && !isSilent(m)) {
        const conv = c.conversation(m.conversationId);
        const where = conv && conv.kind === ConversationKind.GROUP ? ` in ${conversationTitle(conv, (id) => this.directory.nameOf(id))}` : '';
        const who = senderName(m.senderId, self, (id) => this.directory.nameOf(id));
        this.announce(`${who}${where}: ${contentPreview(m)}`);
        this.onIncoming(m.conversationId, `${who}${where}`, contentPreview(m));
      }
    });
    c.on('typing', (t) => {
      if (t.userId !== this.me.value?.userId) this.typing.set(t.conversationId, t.userId, t.typing);
    });
    c.on('presence', (p) => this.directory.setOnline(p.userId, p.online));
    c.on('read', (r) => {
      // The summary's peerReadSeq follows receipts too, but only once the
      // conversation (with its peer) is known; this map never misses one.
      if (r.self || (this.peerReads.value.get(r.conversationId) ?? 0) >= r.readSeq) return;
      const next = new Map(this.peerReads.value);
      next.set(r.conversationId, r.readSeq);
      this.peerReads.set(next);
    });
    c.on('kicked', (k) => {
      const text = k.reconnect === 'never' ? `Disconnected by the server: ${k.reason || k.name}` : undefined;
      if (text) this.connection.update((v) => ({ ...v, notice: text }));
    });
    c.on('resync', () => {
      // The server dropped our sync position: what we hold may have gaps.
      this.messages.clear();
      if (this.activeConversation) void this.messages.ensureLoaded(this.activeConversation);
    });
    c.on('error', (err) => {
      if (typeof console !== 'undefined') console.debug('[xinbox]', err.message);
    });
  }

  private persistSession(s: Session | undefined): void {
    if (!s) return;
    const username = this.me.value?.userId === s.userId ? this.me.value.username : this.pendingUsername;
    this.tabStorage.saveLogin({ session: s, username });
  }

  /** Coalesces bursts of 'conversation' events into one list update per task. */
  private queueRefresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    queueMicrotask(() => {
      this.refreshQueued = false;
      const list = this.client.conversations();
      for (const s of list) if (s.kind === ConversationKind.DIRECT && s.title) this.directory.learnName(s.peerId, s.title);
      this.settings.learn(list);
      this.conversations.set(list);
      this.totalUnread.set(this.client.totalUnread);
      this.watchPresence(list);
      // After a reload the open chat may be known only now.
      if (this.activeConversation) this.learnGroupNames(this.activeConversation);
    });
  }

  /**
   * A conversation first seen through a message (someone wrote to us) has no
   * title or peer until the list is fetched again; fetch it once per conversation.
   */
  private askForTitle(s: ConversationSummary): void {
    if (s.title || this.titleRefreshAsked.has(s.conversationId)) return;
    this.titleRefreshAsked.add(s.conversationId);
    if (this.listRefreshTimer) return;
    this.listRefreshTimer = setTimeout(() => {
      this.listRefreshTimer = undefined;
      this.client.listConversations({ limit: 100 }).catch(() => undefined);
    }, 150);
  }

  private watchPresence(list: readonly ConversationSummary[]): void {
    if (this.client.state !== 'connected') return;
    const peers = [...new Set(list.filter((s) => s.kind === ConversationKind.DIRECT && s.peerId && s.peerId !== '0').map((s) => s.peerId))].sort();
    const key = peers.join(',');
    if (key === this.presenceWatched) return;
    this.presenceWatched = key;
    if (peers.length === 0) return;
    this.client
      .subscribePresence(peers)
      .then(() => this.client.queryPresence(peers))
      .then((users) => {
        for (const u of users) this.directory.setOnline(u.userId, u.online);
      })
      .catch(() => {
        this.presenceWatched = '';
      });
  }

  private announce(text: string): void {
    this.announcement.update((a) => ({ id: a.id + 1, text }));
  }

  // ------------------------------------------------------------ viewing a conversation

  /** The chat view tells which conversation is on screen (undefined: none). */
  setActiveConversation(conversationId: string | undefined): void {
    this.activeConversation = conversationId;
    if (!conversationId) return;
    void this.messages.ensureLoaded(conversationId);
    this.learnGroupNames(conversationId);
    this.markReadIfViewing();
  }

  /**
   * Group messages show their senders' names, which only the member list
   * has; fetched once per group (again after membership changes).
   */
  private learnGroupNames(conversationId: string): void {
    if (this.namesFetched.has(conversationId) || this.client.conversation(conversationId)?.kind !== ConversationKind.GROUP) return;
    this.namesFetched.add(conversationId);
    this.contacts.groupMembers(conversationId).catch(() => this.namesFetched.delete(conversationId));
  }

  /** Marks the open conversation read while the tab is visible. */
  markReadIfViewing(): void {
    const id = this.activeConversation;
    if (!id || !this.isVisible() || this.markingRead.has(id)) return;
    const conv = this.client.conversation(id);
    if (!conv || conv.unread === 0) return;
    this.markingRead.add(id);
    this.client
      .markRead(id)
      .catch(() => undefined)
      .finally(() => {
        this.markingRead.delete(id);
        // More may have arrived while the request was in flight.
        if ((this.client.conversation(id)?.unread ?? 0) > 0 && this.activeConversation === id) setTimeout(() => this.markReadIfViewing(), 100);
      });
  }

  loadOlder(conversationId: string): Promise<void> {
    return this.messages.loadOlder(conversationId);
  }

  /**
   * A message to bring into view and highlight (jump from a search hit):
   * the chat view scrolls to it once its history is loaded, then clears it.
   * `missing` when it lies further back than a jump loads.
   */
  readonly focus = new Store<{ conversationId: string; seq: number; missing?: boolean } | undefined>(undefined);

  /** Loads the history around `seq` (MessagesStore.loadAround) and asks the chat view to show it. */
  async jumpTo(conversationId: string, seq: number): Promise<void> {
    this.focus.set({ conversationId, seq });
    const held = await this.messages.loadAround(conversationId, seq);
    const f = this.focus.value;
    if (f && f.conversationId === conversationId && f.seq === seq) this.focus.set(held ? { conversationId, seq } : { conversationId, seq, missing: true });
  }

  // ------------------------------------------------------------ sending

  send(conversationId: string, content: ContentInit, mentions?: { mentions: readonly string[]; mentionAll: boolean }): void {
    this.typingSender.stop(conversationId);
    const replySeq = this.ops.takeReply(conversationId);
    const withReply = replySeq === undefined ? content : ({ ...content, reply: create(QuoteSchema, { seq: replySeq }) } as ContentInit);
    this.transmit(conversationId, { clientMsgId: randomId(), content: withReply, mentions: mentions?.mentions, mentionAll: mentions?.mentionAll, status: 'sending' });
  }

  retry(conversationId: string, pending: PendingMessage): void {
    this.transmit(conversationId, { ...pending, status: 'sending', error: undefined });
  }

  private transmit(conversationId: string, p: PendingMessage): void {
    this.messages.addPending(conversationId, p);
    this.client.send(conversationId, p.content, { clientMsgId: p.clientMsgId, mentions: p.mentions, mentionAll: p.mentionAll }).catch((err: unknown) => {
      this.messages.failPending(conversationId, p.clientMsgId, err instanceof Error ? err.message : 'not sent');
    });
  }

  /** Called on every keystroke in the composer. */
  noteTyping(conversationId: string): void {
    this.typingSender.keystroke(conversationId);
  }
}

function isSessionGone(err: unknown): boolean {
  if (!(err instanceof XinboxError)) return false;
  const gone: number[] = [Errors.TOKEN_INVALID.code, Errors.TOKEN_REVOKED.code, Errors.REFRESH_INVALID.code, Errors.NOT_AUTHENTICATED.code, Errors.TOKEN_EXPIRED.code];
  return gone.includes(err.code);
}
