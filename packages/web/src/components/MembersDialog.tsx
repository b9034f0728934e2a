/** A group's members, its id (to share for joining), inviting and leaving. */
import { GroupRole, JoinPolicy, type GroupInfo, type GroupMember } from '@xinbox/protocol';
import { useEffect, useState } from 'preact/hooks';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { Dialog } from './Dialog.js';
import { PresenceDot } from './PresenceDot.js';
import { splitNames, useAsyncAction } from './use-async-action.js';

const ROLE: Record<number, string> = { [GroupRole.OWNER]: 'owner', [GroupRole.ADMIN]: 'admin' };
const POLICY: Record<number, string> = { [JoinPolicy.OPEN]: 'anyone with the id can join', [JoinPolicy.APPROVAL]: 'joining needs approval', [JoinPolicy.INVITE_ONLY]: 'invite only' };

export function MembersDialog({ conversationId, onClose, onLeft }: { conversationId: string; onClose: () => void; onLeft: () => void }) {
  const { app } = useServices();
  const me = useStore(app.me);
  const online = useStore(app.directory.online);
  const [members, setMembers] = useState<GroupMember[] | undefined>(undefined);
  const [info, setInfo] = useState<GroupInfo | undefined>(undefined);
  const [invite, setInvite] = useState('');
  const load = useAsyncAction(async () => {
    const [i, m] = await Promise.all([app.contacts.groupInfo(conversationId), app.contacts.groupMembers(conversationId)]);
    setInfo(i);
    setMembers(m);
  });
  const inviteAction = useAsyncAction(async () => {
    await app.contacts.inviteToGroup(conversationId, splitNames(invite));
    setInvite('');
    setMembers(await app.contacts.groupMembers(conversationId));
  });
  const leave = useAsyncAction(async () => {
    await app.contacts.leaveGroup(conversationId);
    onLeft();
  });
  useEffect(() => {
    void load.run();
    // Load once per open dialog.
  }, [conversationId]);

  const group = info?.group;
  return (
    <Dialog title={group ? `${group.name} · members` : 'Members'} onClose={onClose} class="dialog--wide">
      {group && (
        <p class="hint">
          Group id <code data-testid="group-id">{group.conversationId}</code> · {group.memberCount} members · {POLICY[group.joinPolicy] ?? 'members only'}
        </p>
      )}
      {load.error && (
        <p class="error" role="alert">
          {load.error}
        </p>
      )}
      {!members && !load.error && <p aria-busy="true">Loading members…</p>}
      {members && (
        <ul class="member-list" aria-label="Members">
          {members.map((m) => {
            const isOnline = online.get(m.userId);
            return (
              <li key={m.userId} class="member">
                {isOnline !== undefined ? <PresenceDot online={isOnline} /> : <span class="presence presence--unknown" aria-hidden="true" />}
                <span class="member__name">
                  {m.username || `User ${m.userId}`}
                  {m.userId === me?.userId ? ' (you)' : ''}
                </span>
                {ROLE[m.role] && <span class="tag">{ROLE[m.role]}</span>}
              </li>
            );
          })}
        </ul>
      )}
      <form
        class="form form--inline"
        onSubmit={(e) => {
          e.preventDefault();
          void inviteAction.run();
        }}
      >
        <label class="field">
          <span>Invite by username</span>
          <input name="invite" required value={invite} onInput={(e) => setInvite(e.currentTarget.value)} placeholder="carol, dave" autoComplete="off" />
        </label>
        <button type="submit" class="btn" disabled={inviteAction.busy}>
          Invite
        </button>
      </form>
      {inviteAction.error && (
        <p class="error" role="alert">
          {inviteAction.error}
        </p>
      )}
      <div class="form__actions">
        <button type="button" class="btn btn--danger" onClick={() => void leave.run()} disabled={leave.busy}>
          Leave group
        </button>
        <button type="button" class="btn" onClick={onClose}>
          Close
        </button>
      </div>
      {leave.error && (
        <p class="error" role="alert">
          {leave.error}
        </p>
      )}
    </Dialog>
  );
}
