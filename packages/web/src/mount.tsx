/**
 * The app root wiring: builds the one client of this tab and the models over
 * it, then renders. Everything is created here and passed down; there are no
 * module-level singletons.
 */
import { render } from 'preact';
import { App } from './components/App.js';
import { AppContext, type AppServices } from './components/app-context.js';
import { LocalStorageCursorStore, XinboxClient } from '@xinbox/sdk';
import { ChatApp } from './state/chat-app.js';
import { DesktopNotifier } from './state/desktop-notifier.js';
import { NetworkStatus } from './state/network-status.js';
import { Router } from './state/router.js';
import { TabStorage } from './state/tab-storage.js';
import { ThemeController } from './state/theme.js';
import { WebPushSetup } from './state/web-push.js';
import { RelationsModel } from './state/relations-model.js';
import { ServiceDesk } from './state/service-desk.js';
import { ItemCards } from './state/item-cards.js';

export interface MountOptions {
  /** HTTP base of the Xinbox server; default: the page's own origin. */
  readonly baseUrl?: string;
}

export function mountApp(root: HTMLElement, opts: MountOptions = {}): AppServices {
  const win = window;
  const tabStorage = new TabStorage(win.sessionStorage, win.localStorage);
  const baseUrl = opts.baseUrl ?? win.location.origin;
  const client = new XinboxClient({
    baseUrl,
    deviceId: tabStorage.deviceId(),
    platform: 'web',
    clientVersion: 'xinbox-web/0.1.0',
    // The page's own server is the gateway: its access list names addresses
    // as the server sees itself (127.0.0.1 when bound to all interfaces),
    // which a browser on another machine cannot reach.
    accessUrl: false,
    // Sync position per tab (= per device), so a reload resumes without redelivery.
    cursorStore: new LocalStorageCursorStore(win.sessionStorage, 'xinbox.sync.'),
    // The SDK calls its stored fetch as a method of its own object, which
    // browsers reject ("Illegal invocation"); a bound wrapper avoids that.
    fetch: (input, init) => win.fetch(input, init),
  });
  const webPush = new WebPushSetup({ baseUrl, accessToken: () => client.session?.accessToken, win });
  const router = new Router(win);
  // A conversation the user muted (per-user settings, every device) is not notified; app exists before any message arrives.
  const desktop = new DesktopNotifier({
    win, storage: win.localStorage, isMuted: (conversationId) => app.settings.of(conversationId)?.muted === true,
    open: (conversationId) => router.go({ kind: 'chat', conversationId }),
  });
  win.addEventListener('pointerdown', () => desktop.askOnce(), { once: true });
  const app = new ChatApp({
    client, tabStorage, isVisible: () => win.document.visibilityState === 'visible', beforeLogout: () => webPush.disable(),
    onIncoming: (conversationId, title, body) => void desktop.notify(conversationId, title, body),
  });
  const services: AppServices = {
    app,
    router,
    theme: new ThemeController(win.document.documentElement, win.localStorage),
    network: new NetworkStatus(win),
    webPush,
    relations: new RelationsModel(client),
    desk: new ServiceDesk(client),
    items: new ItemCards(client),
  };
  win.document.addEventListener('visibilitychange', () => app.markReadIfViewing());
  app.resume();
  render(
    <AppContext.Provider value={services}>
      <App />
    </AppContext.Provider>,
    root,
  );
  return services;
}
