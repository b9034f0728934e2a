/**
 * Desktop notifications for messages that arrive while the tab is hidden
 * (the Notification API; Web Push covers a closed tab). Permission is asked
 * once per browser, on the user's first click in the app (browsers ignore a
 * request without a gesture), and remembered so a "no" is never asked
 * again. A conversation the user muted is skipped (`isMuted`: the per-user
 * conversation settings, the same on every device).
 */
export interface DesktopNotifierDeps {
  readonly win: Pick<Window, 'document' | 'focus'> & { Notification?: typeof Notification };
  /** Where "already asked" is remembered (localStorage). */
  readonly storage: Pick<Storage, 'getItem' | 'setItem'>;
  /** Muted conversations are not notified (the user's conversation settings). */
  readonly isMuted?: (conversationId: string) => boolean;
  /** Opens the conversation when a notification is clicked. */
  readonly open?: (conversationId: string) => void;
}

const ASKED_KEY = 'xinbox.notifications.asked';

export class DesktopNotifier {
  constructor(private readonly deps: DesktopNotifierDeps) {}

  get supported(): boolean {
    return typeof this.deps.win.Notification === 'function';
  }

  /** Asks for permission unless it was asked before in this browser (call from a user gesture). */
  askOnce(): void {
    const N = this.deps.win.Notification;
    if (!N || N.permission !== 'default' || this.deps.storage.getItem(ASKED_KEY)) return;
    this.deps.storage.setItem(ASKED_KEY, '1');
    void N.requestPermission().catch(() => undefined);
  }

  /** Shows a notification for a new message when the tab is hidden, permission granted and the conversation not muted. */
  notify(conversationId: string, title: string, body: string): boolean {
    const N = this.deps.win.Notification;
    if (!N || N.permission !== 'granted') return false;
    if (this.deps.win.document.visibilityState === 'visible') return false;
    if (this.deps.isMuted?.(conversationId)) return false;
    // One notification per conversation: a newer message replaces the older one (same tag).
    const n = new N(title, { body, tag: `xinbox-${conversationId}` });
    n.onclick = () => {
      this.deps.win.focus();
      this.deps.open?.(conversationId);
      n.close();
    };
    return true;
  }
}
