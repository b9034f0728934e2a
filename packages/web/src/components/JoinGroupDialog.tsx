/** Join an open group by its id (members can copy it from the group's member list). */
import { useState } from 'preact/hooks';
import { useServices } from './app-context.js';
import { Dialog } from './Dialog.js';
import { useAsyncAction } from './use-async-action.js';

export function JoinGroupDialog({ onClose, onOpened }: { onClose: () => void; onOpened: (conversationId: string) => void }) {
  const { app } = useServices();
  const [id, setId] = useState('');
  const { busy, error, run } = useAsyncAction(async () => onOpened(await app.contacts.joinGroup(id)));
  return (
    <Dialog title="Join a group" onClose={onClose}>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label class="field">
          <span>Group id</span>
          <input name="group-id" required inputMode="numeric" pattern="[0-9]+" value={id} onInput={(e) => setId(e.currentTarget.value)} autoFocus autoComplete="off" />
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
            Join
          </button>
        </div>
      </form>
    </Dialog>
  );
}
