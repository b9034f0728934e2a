/**
 * DesktopNotifier's rules with a stand-in for the browser's Notification
 * constructor (what the browser then shows is the browser's business):
 * asked once per browser, notified only while the tab is hidden, with
 * permission, and not for a muted conversation; a newer message replaces
 * the older one; a click focuses the tab and opens the conversation.
 */
import { describe, expect, it } from 'vitest';
import { DesktopNotifier } from '../src/state/desktop-notifier.js';

function browser(permission: NotificationPermission, visibility: DocumentVisibilityState) {
  const shown: Array<{ title: string; body?: string; tag?: string; n: { onclick: null | (() => void); close(): void } }> = [];
  let requests = 0;
  let focused = 0;
  class FakeNotification {
    static permission = permission;
    static async requestPermission(): Promise<NotificationPermission> {
      requests++;
      return 'granted';
    }
    onclick: null | (() => void) = null;
    closed = false;
    constructor(title: string, opts: NotificationOptions = {}) {
      shown.push({ title, body: opts.body, tag: opts.tag, n: this });
    }
    close(): void {
      this.closed = true;
    }
  }
  const store = new Map<string, string>();
  const win = {
    document: { visibilityState: visibility } as Document,
    focus: () => void focused++,
    Notification: FakeNotification as unknown as typeof Notification,
  };
  const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
  return { win, storage, shown, requests: () => requests, focused: () => focused };
}

describe('DesktopNotifier', () => {
  it('asks for permission once per browser, never again after an answer', () => {
    const b = browser('default', 'hidden');
    const n = new DesktopNotifier({ win: b.win, storage: b.storage });
    n.askOnce();
    n.askOnce();
    expect(b.requests()).toBe(1);
    expect(new DesktopNotifier({ win: b.win, storage: b.storage }).askOnce()).toBeUndefined();
    expect(b.requests()).toBe(1);
  });

  it('notifies only while the tab is hidden, with permission, and not for muted conversations', () => {
    const hidden = browser('granted', 'hidden');
    const opened: string[] = [];
    const n = new DesktopNotifier({ win: hidden.win, storage: hidden.storage, isMuted: (c) => c === '9', open: (c) => opened.push(c) });
    expect(n.notify('7', 'ann', 'hello')).toBe(true);
    expect(n.notify('9', 'muted group', 'psst')).toBe(false);
    expect(hidden.shown.map((s) => [s.title, s.body, s.tag])).toEqual([['ann', 'hello', 'xinbox-7']]);
    hidden.shown[0]!.n.onclick!();
    expect(hidden.focused()).toBe(1);
    expect(opened).toEqual(['7']);

    const visible = browser('granted', 'visible');
    expect(new DesktopNotifier({ win: visible.win, storage: visible.storage }).notify('7', 'ann', 'hello')).toBe(false);
    const denied = browser('denied', 'hidden');
    expect(new DesktopNotifier({ win: denied.win, storage: denied.storage }).notify('7', 'ann', 'hello')).toBe(false);
    expect(visible.shown.length + denied.shown.length).toBe(0);
  });
});
