/** Start a one-to-one chat by the other person's username. */
import { useState } from 'preact/hooks';
import { useServices } from './app-context.js';
import { FormDialog } from './FormDialog.js';
import { useAsyncAction } from './use-async-action.js';

export function NewChatDialog({ onClose, onOpened }: { onClose: () => void; onOpened: (conversationId: string) => void }) {
  const { app } = useServices();
  const [username, setUsername] = useState('');
  const { busy, error, run } = useAsyncAction(async () => onOpened(await app.contacts.openDirect(username)));
  return (
    <FormDialog title="New chat" submitLabel="Start chat" onClose={onClose} onSubmit={() => void run()} error={error} busy={busy}>
      <label class="field">
        <span>Username</span>
        <input name="peer" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} autoFocus autoComplete="off" />
      </label>
    </FormDialog>
  );
}
