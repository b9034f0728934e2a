/**
 * A visually hidden live region: screen readers read out new messages from
 * others (in any conversation) without moving focus.
 */
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';

export function Announcer() {
  const { app } = useServices();
  const a = useStore(app.announcement);
  return (
    <div class="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
      {/* The key makes a repeated text a new node, so it is announced again. */}
      <span key={a.id}>{a.text}</span>
    </div>
  );
}
