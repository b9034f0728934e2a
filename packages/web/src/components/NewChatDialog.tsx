/** Start a one-to-one chat by the other person's username. */
import { useState } from 'preact/hooks';
import { useServices } from './app-context.js';
import { Dialog } from './Dialog.js';
import { useAsyncAction } from './use-async-action.js';

export function NewChatDialog({ onClose, onOpened }: { onClose: () => void; onOpened: (conversationId: string) => void }) {
  const { app } = useServices();
  const [username, setUsername] = useState('');
  const { busy, error, run } = useAsyncAction(async () => onOpened(await app.contacts.openDirect(username)));
  return (
    <Dialog title="New chat" onClose={onClose}>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label class="field">
          <span>Username</span>
          <input name="peer" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} autoFocus autoComplete="off" />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="form__actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn--primary" disabled={busy}>
            Start chat
          </button>
        </div>
      </form>
    </Dialog>
  );
}
