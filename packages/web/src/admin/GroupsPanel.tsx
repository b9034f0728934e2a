/**
 * Groups: look one up by group id (or list a user's groups by user id),
 * see its members, remove a member or dissolve the group. Changes go out as
 * the owner's, so members see the usual notices.
 */
import { useState } from 'preact/hooks';
import type { AdminApi } from './admin-api.js';
import { dissolveGroup, getGroup, groupsOf, removeMember, type AdminGroup, type AdminGroupListing, type AdminGroupMember } from './groups-rooms-api.js';

export function GroupsPanel({ api }: { api: AdminApi }) {
  const [query, setQuery] = useState('');
  const [mode, setMode] = useState<'group' | 'user'>('group');
  const [listing, setListing] = useState<AdminGroupListing[]>([]);
  const [shown, setShown] = useState<{ group: AdminGroup; members: AdminGroupMember[] } | null>(null);
  const [error, setError] = useState('');
  const attempt = async (action: () => Promise<void>) => {
    setError('');
    try {
      await action();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const open = (groupId: string) => attempt(async () => setShown(await getGroup(api, groupId)));
  const find = () => attempt(async () => {
    setShown(null);
    setListing([]);
    if (mode === 'group') await open(query.trim());
    else setListing(await groupsOf(api, query.trim()));
  });
  return (
    <section class="admin__panel" aria-labelledby="groups-title" data-testid="admin-groups">
      <h2 id="groups-title">Groups</h2>
      <form class="admin__search" onSubmit={(e) => { e.preventDefault(); void find(); }}>
        <select aria-label="Look up by" value={mode} onChange={(e) => setMode(e.currentTarget.value as 'group' | 'user')}>
          <option value="group">group id</option>
          <option value="user">member's user id</option>
        </select>
        <input aria-label="Group or user id" inputMode="numeric" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        <button type="submit" class="btn">Look up</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {listing.length > 0 && (
        <ul class="admin__matches">
          {listing.map((g) => (
            <li key={g.groupId}><button type="button" class="link" onClick={() => void open(g.groupId)}>{g.title}</button> · {g.memberCount} members</li>
          ))}
        </ul>
      )}
      {shown && (
        <div data-testid="admin-group" data-dissolved={String(shown.group.dissolved)}>
          <p><strong>{shown.group.name}</strong> · id {shown.group.groupId} · {shown.group.memberCount} members</p>
          <button type="button" class="btn btn--danger" onClick={() => void attempt(async () => {
            await dissolveGroup(api, shown.group.groupId);
            setShown({ ...shown, group: { ...shown.group, dissolved: true } });
          })}>Dissolve</button>
          <ul class="admin__list" data-testid="admin-group-members">
            {shown.members.map((m) => (
              <li key={m.userId} class="admin__report">
                {m.username} ({m.role}) · id {m.userId}{' '}
                {m.role !== 'owner' && !shown.group.dissolved && (
                  <button type="button" class="link" onClick={() => void attempt(async () => {
                    await removeMember(api, shown.group.groupId, m.userId);
                    setShown(await getGroup(api, shown.group.groupId));
                  })}>Remove {m.username}</button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
