/** Join an open group by its id (members can copy it from the group's member list). */
import { useState } from 'preact/hooks';
import { useServices } from './app-context.js';
import { FormDialog } from './FormDialog.js';
import { useAsyncAction } from './use-async-action.js';

export function JoinGroupDialog({ onClose, onOpened }: { onClose: () => void; onOpened: (conversationId: string) => void }) {
  const { app } = useServices();
  const [id, setId] = useState('');
  const { busy, error, run } = useAsyncAction(async () => onOpened(await app.contacts.joinGroup(id)));
  return (
    <FormDialog title="Join a group" submitLabel="Join" onClose={onClose} onSubmit={() => void run()} error={error} busy={busy}>
      <label class="field">
        <span>Group id</span>
        <input name="group-id" required inputMode="numeric" pattern="[0-9]+" value={id} onInput={(e) => setId(e.currentTarget.value)} autoFocus autoComplete="off" />
      </label>
    </FormDialog>
  );
}
