/** Hands the app's services (created once by the root) to every component. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ChatApp } from '../state/chat-app.js';
import type { NetworkStatus } from '../state/network-status.js';
import type { Router } from '../state/router.js';
import type { ThemeController } from '../state/theme.js';
import type { WebPushSetup } from '../state/web-push.js';
import type { RelationsModel } from '../state/relations-model.js';
import type { ServiceDesk } from '../state/service-desk.js';
import type { ItemCards } from '../state/item-cards.js';

export interface AppServices {
  readonly app: ChatApp;
  readonly router: Router;
  readonly theme: ThemeController;
  readonly network: NetworkStatus;
  /** Web Push notifications for this browser. */
  readonly webPush: WebPushSetup;
  /** Friend requests and the blocklist. */
  readonly relations: RelationsModel;
  /** The agent workbench (customer service). */
  readonly desk: ServiceDesk;
  /** Item cards of item conversations. */
  readonly items: ItemCards;
}

export const AppContext = createContext<AppServices | undefined>(undefined);

export function useServices(): AppServices {
  const s = useContext(AppContext);
  if (!s) throw new Error('AppContext is missing: render components inside <AppContext.Provider>');
  return s;
}
