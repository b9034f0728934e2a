/**
 * Tells the user when messages cannot flow. Driven by the SDK's connection
 * state (connecting, reconnecting, closed for good); the browser's offline
 * signal only sharpens the wording, since it is known before the SDK's
 * heartbeat notices the dead connection.
 */
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';

export function ConnectionBanner() {
  const { app, network } = useServices();
  const c = useStore(app.connection);
  const online = useStore(network.online);
  let text = '';
  let tone = 'info';
  if (c.state === 'closed' && c.notice) {
    text = c.notice;
    tone = 'error';
  } else if (!online) {
    text = 'You are offline. Messages you write will be sent when the connection is back.';
    tone = 'warn';
  } else if (c.state === 'connecting') {
    text = c.everConnected ? 'Reconnecting…' : 'Connecting…';
  } else if (c.state === 'reconnecting') {
    text = 'Connection lost. Reconnecting…';
    tone = 'warn';
  }
  return (
    <div class="banner-slot" role="status" aria-live="polite">
      {text && (
        <div class={`banner banner--${tone}`} data-testid="connection-banner" data-state={c.state} data-online={online ? 'true' : 'false'}>
          {tone !== 'error' && <span class="spinner" aria-hidden="true" />}
          {text}
        </div>
      )}
    </div>
  );
}
