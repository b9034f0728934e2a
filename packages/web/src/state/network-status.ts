/**
 * Whether the browser believes it is online. A lost network is seen here at
 * once, while the SDK only notices a dead connection when its heartbeat
 * times out, so the banner can say "offline" before the SDK says "reconnecting".
 */
import { Store } from './store.js';

export class NetworkStatus {
  readonly online: Store<boolean>;

  constructor(win: Window) {
    this.online = new Store(win.navigator.onLine !== false);
    win.addEventListener('online', () => this.online.set(true));
    win.addEventListener('offline', () => this.online.set(false));
  }
}
