/**
 * The console's Users section: pick an app (usernames are unique per app;
 * the list comes from GET /v1/admin/apps), find a user of it by name, prefix
 * or id, ban or unban them (their sessions close at once), end their
 * sessions or reset their password, and see their recent logins and
 * connections. Every result names the user's app.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AdminApi, AdminEvent, AdminUser } from './admin-api.js';
import { AccountActions } from './AccountActions.js';
import { searchAccounts, type AccountMatch } from './accounts-api.js';
import { listApps } from './apps-api.js';

export function UsersPanel({ api }: { api: AdminApi }) {
  const [apps, setApps] = useState<string[]>(['default']);
  const [app, setApp] = useState('default');
  const [query, setQuery] = useState('');
  const [user, setUser] = useState<AdminUser | null>(null);
  const [events, setEvents] = useState<AdminEvent[]>([]);
  const [error, setError] = useState('');
  const [matches, setMatches] = useState<AccountMatch[]>([]);
  // Apps created in the Apps section after this loaded show up on the next focus of the picker.
  const loadApps = () => void listApps(api).then((list) => setApps(list.map((a) => a.id)), () => undefined);
  useEffect(loadApps, [api]);
  const clear = () => {
    setUser(null);
    setEvents([]);
    setMatches([]);
  };
  /** The query is a username prefix or an id: the matches are listed; an exact (or the only) match is opened. */
  const search = async (q: string) => {
    setError('');
    try {
      const found = await searchAccounts(api, q.trim(), app);
      setMatches(found);
      const pick = found.find((m) => m.username === q.trim().toLowerCase() || m.userId === q.trim()) ?? (found.length === 1 ? found[0] : undefined);
      if (pick) return await load(pick.username, pick.app);
      setUser(null);
      setEvents([]);
      if (found.length === 0) setError(`NOT_FOUND: no user of app ${app} matches ${q}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const load = async (username: string, inApp: string) => {
    setError('');
    try {
      const u = await api.findUser(username, inApp);
      setUser(u);
      setEvents(await api.events(u.userId));
    } catch (err) {
      setUser(null);
      setEvents([]);
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const toggleBan = async () => {
    if (!user) return;
    try {
      await api.setBanned(user.username, !user.banned, 'from the admin console', user.app);
      await load(user.username, user.app);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section class="admin__panel" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <form class="admin__search" onSubmit={(e) => { e.preventDefault(); void search(query); }}>
        <select aria-label="User app" value={app} onFocus={loadApps} onChange={(e) => { setApp(e.currentTarget.value); clear(); }} data-testid="admin-user-app">
          {apps.map((id) => <option key={id} value={id}>{id}</option>)}
        </select>
        <input aria-label="Username" placeholder="username, its start, or a user id" value={query} onInput={(e) => setQuery(e.currentTarget.value)} data-testid="admin-user-query" />
        <button type="submit" class="btn">Find</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {matches.length > 1 && (
        <ul class="admin__matches" data-testid="admin-user-matches">
          {matches.map((m) => (
            <li key={m.userId}><button type="button" class="link" onClick={() => void load(m.username, m.app)}>{m.username}</button> · id {m.userId} · app {m.app}</li>
          ))}
        </ul>
      )}
      {user && (
        <div class="admin__user" data-testid="admin-user" data-banned={String(user.banned)} data-app={user.app}>
          <p>
            <strong>{user.username}</strong> · id {user.userId} · app <span data-testid="admin-user-app-of">{user.app}</span> · since {new Date(user.createdAt).toLocaleDateString()} ·{' '}
            <span data-testid="admin-user-state">{user.banned ? 'banned' : 'active'}</span>
          </p>
          <button type="button" class={user.banned ? 'btn' : 'btn btn--danger'} onClick={() => void toggleBan()} data-testid="admin-ban">
            {user.banned ? 'Lift the ban' : 'Ban (ends every session)'}
          </button>
          <AccountActions api={api} username={user.username} app={user.app} onDone={() => void load(user.username, user.app)} />
          <table class="admin__events">
            <caption>Logins and connections, last 24 hours</caption>
            <thead><tr><th>time</th><th>event</th><th>device</th><th>address</th><th>detail</th></tr></thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}><td>{new Date(e.at).toLocaleTimeString()}</td><td>{e.type}</td><td>{e.deviceId} ({e.platform})</td><td>{e.ip}</td><td>{e.detail}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
