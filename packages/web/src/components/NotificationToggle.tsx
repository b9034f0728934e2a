/** Turns Web Push notifications for this browser on or off (shown while away from the app). */
import { useEffect } from 'preact/hooks';
import { useStore } from '../state/store.js';
import type { WebPushStatus } from '../state/web-push.js';
import { useServices } from './app-context.js';

const LABEL: Record<WebPushStatus, string> = {
  unsupported: 'This browser cannot show notifications',
  unavailable: 'Notifications are not set up on this server',
  denied: 'Notifications are blocked in the browser settings',
  off: 'Notify me while I am away',
  working: 'Turning notifications on…',
  on: 'Notifications on (turn off)',
};

export function NotificationToggle() {
  const { webPush } = useServices();
  const view = useStore(webPush.view);
  useEffect(() => {
    void webPush.refresh().catch(() => undefined);
  }, [webPush]);
  const actionable = view.status === 'off' || view.status === 'on';
  return (
    <button
      type="button"
      class="link"
      data-testid="notification-toggle"
      data-status={view.status}
      disabled={!actionable}
      title={view.error ?? LABEL[view.status]}
      onClick={() => void (view.status === 'on' ? webPush.disable() : webPush.enable())}
    >
      {view.status === 'on' ? '🔔' : '🔕'} {LABEL[view.status]}
    </button>
  );
}
