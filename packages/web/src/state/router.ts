/**
 * Which screen is showing, kept in the URL hash so a reload (or the browser's
 * back button) returns to the same chat: #/ list, #/c/<conversationId> chat,
 * #/room/<roomId> live room,
 * #/friends friends and blocklist, #/service/<shopId> the agent workbench.
 */
import { Store } from './store.js';

export type Route =
  | { readonly kind: 'list' }
  | { readonly kind: 'chat'; readonly conversationId: string }
  | { readonly kind: 'room'; readonly roomId: string }
  | { readonly kind: 'friends' }
  | { readonly kind: 'service'; readonly shopId: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map((p) => decodeURIComponent(p));
  if (parts[0] === 'c' && parts[1] && /^\d+$/.test(parts[1])) return { kind: 'chat', conversationId: parts[1] };
  if (parts[0] === 'room') return { kind: 'room', roomId: parts[1] ?? '' };
  if (parts[0] === 'friends') return { kind: 'friends' };
  if (parts[0] === 'service') return { kind: 'service', shopId: /^\d+$/.test(parts[1] ?? '') ? parts[1]! : '' };
  return { kind: 'list' };
}

export function routeHash(r: Route): string {
  switch (r.kind) {
    case 'chat':
      return `#/c/${r.conversationId}`;
    case 'room':
      return r.roomId ? `#/room/${encodeURIComponent(r.roomId)}` : '#/room';
    case 'friends':
      return '#/friends';
    case 'service':
      return r.shopId ? `#/service/${r.shopId}` : '#/service';
    default:
      return '#/';
  }
}

export class Router {
  readonly route: Store<Route>;

  constructor(private readonly win: Window) {
    this.route = new Store(parseRoute(win.location.hash));
    win.addEventListener('hashchange', () => this.route.set(parseRoute(win.location.hash)));
  }

  go(r: Route): void {
    const hash = routeHash(r);
    if (this.win.location.hash !== hash) this.win.location.hash = hash;
    this.route.set(parseRoute(hash));
  }
}
