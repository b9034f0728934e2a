import { describe, expect, it } from 'vitest';
import { titleFor } from '../src/components/TitleSync.js';
import { typingText } from '../src/components/TypingIndicator.js';
import { safeUrl } from '../src/components/MessageContent.js';
import { splitNames } from '../src/components/use-async-action.js';
import { parseRoute, routeHash } from '../src/state/router.js';
import { TabStorage } from '../src/state/tab-storage.js';
import { nextTheme } from '../src/state/theme.js';

class MemoryStorage {
  readonly map = new Map<string, string>();
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.map.set(k, v);
  }
  removeItem(k: string): void {
    this.map.delete(k);
  }
}

describe('web client helpers', () => {
  it('tab title shows the total unread', () => {
    expect(titleFor(0)).toBe('Xinbox');
    expect(titleFor(3)).toBe('(3) Xinbox');
    expect(titleFor(5000)).toBe('(999+) Xinbox');
  });

  it('routes round-trip through the URL hash', () => {
    for (const r of [{ kind: 'list' }, { kind: 'chat', conversationId: '42' }, { kind: 'room', roomId: 'live 1' }] as const) {
      expect(parseRoute(routeHash(r))).toEqual(r);
    }
    expect(parseRoute('#/c/not-a-number')).toEqual({ kind: 'list' });
    expect(parseRoute('')).toEqual({ kind: 'list' });
  });

  it('only http(s) links are rendered from media messages', () => {
    expect(safeUrl('https://example.org/a.png')).toBe('https://example.org/a.png');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,x')).toBeUndefined();
    expect(safeUrl('not a url')).toBeUndefined();
  });

  it('typing line and member lists read naturally', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['bob'])).toBe('bob is typing…');
    expect(typingText(['bob', 'eve'])).toBe('bob and eve are typing…');
    expect(splitNames(' alice, bob;carol  dave ')).toEqual(['alice', 'bob', 'carol', 'dave']);
  });

  it('each tab keeps one device id and its login', () => {
    const storage = new MemoryStorage();
    const tab = new TabStorage(storage);
    const id = tab.deviceId();
    expect(id).toMatch(/^web-[0-9a-f]{16}$/);
    expect(new TabStorage(storage).deviceId()).toBe(id);
    expect(new TabStorage(new MemoryStorage()).deviceId()).not.toBe(id);
    const session = { userId: '1', deviceId: id, accessToken: 'a', refreshToken: 'r', accessExpiresAt: 1, refreshExpiresAt: 2 };
    tab.saveLogin({ session, username: 'alice' });
    expect(tab.loadLogin()).toEqual({ session, username: 'alice' });
    storage.setItem('xinbox.session', '{broken');
    expect(tab.loadLogin()).toBeUndefined();
    tab.saveLogin(undefined);
    expect(tab.loadLogin()).toBeUndefined();
  });

  it('theme toggle cycles system, light, dark', () => {
    expect(nextTheme('system')).toBe('light');
    expect(nextTheme('light')).toBe('dark');
    expect(nextTheme('dark')).toBe('system');
  });
});
