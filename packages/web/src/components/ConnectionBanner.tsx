/** Tells the user when messages cannot flow: connecting, reconnecting, or disconnected for good. */
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';

export function ConnectionBanner() {
  const { app } = useServices();
  const c = useStore(app.connection);
  let text = '';
  let tone = 'info';
  if (c.state === 'connecting') text = c.everConnected ? 'Reconnecting…' : 'Connecting…';
  else if (c.state === 'reconnecting') {
    text = 'Connection lost. Reconnecting… Messages you send will go out when it is back.';
    tone = 'warn';
  } else if (c.state === 'closed' && c.notice) {
    text = c.notice;
    tone = 'error';
  }
  return (
    <div class="banner-slot" role="status" aria-live="polite">
      {text && (
        <div class={`banner banner--${tone}`} data-testid="connection-banner" data-state={c.state}>
          {tone !== 'error' && <span class="spinner" aria-hidden="true" />}
          {text}
        </div>
      )}
    </div>
  );
}
