/** Create a group: a name and the members' usernames. */
import { useState } from 'preact/hooks';
import { useServices } from './app-context.js';
import { FormDialog } from './FormDialog.js';
import { splitNames, useAsyncAction } from './use-async-action.js';

export function NewGroupDialog({ onClose, onOpened }: { onClose: () => void; onOpened: (conversationId: string) => void }) {
  const { app } = useServices();
  const [name, setName] = useState('');
  const [members, setMembers] = useState('');
  const { busy, error, run } = useAsyncAction(async () => onOpened(await app.contacts.createGroup(name, splitNames(members))));
  return (
    <FormDialog title="New group" submitLabel={busy ? 'Creating…' : 'Create group'} onClose={onClose} onSubmit={() => void run()} error={error} busy={busy}>
      <label class="field">
        <span>Group name</span>
        <input name="group-name" required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} autoFocus />
      </label>
      <label class="field">
        <span>Members</span>
        <input
          name="members"
          value={members}
          onInput={(e) => setMembers(e.currentTarget.value)}
          placeholder="alice, bob"
          aria-describedby="members-hint"
          autoComplete="off"
        />
        <small id="members-hint" class="hint">
          Usernames separated by commas or spaces. You can invite more people later.
        </small>
      </label>
    </FormDialog>
  );
}
