/**
 * The operators' console: log in with the admin token, find a user, ban or
 * unban them (their sessions close at once), see their recent logins and
 * connections, and watch the node's live figures. Each further section is a
 * module of its own (ReportsPanel, GroupsPanel, RoomsPanel, WebhookLogPanel, AppsSection, AccountActions).
 */
import { useEffect, useState } from 'preact/hooks';
import { AdminApi, type AdminEvent, type AdminUser } from './admin-api.js';
import { AccountActions } from './AccountActions.js';
import { AppsSection } from './AppsSection.js';
import { searchAccounts, type AccountMatch } from './accounts-api.js';
import { GroupsPanel } from './GroupsPanel.js';
import { ReportsPanel } from './ReportsPanel.js';
import { RoomsPanel } from './RoomsPanel.js';
import { WebhookLogPanel } from './WebhookLogPanel.js';

const TOKEN_KEY = 'xinbox.admin.token';

export function AdminConsole({ baseUrl }: { baseUrl: string }) {
  const [api, setApi] = useState<AdminApi | null>(null);
  useEffect(() => {
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (!saved) return;
    const candidate = new AdminApi(baseUrl, saved, (i, init) => fetch(i, init));
    candidate.check().then(() => setApi(candidate), () => sessionStorage.removeItem(TOKEN_KEY));
  }, [baseUrl]);
  if (!api) return <AdminLogin baseUrl={baseUrl} onLogin={setApi} />;
  return (
    <main class="admin">
      <header class="admin__top">
        <h1 class="brand">Xinbox admin</h1>
        <button type="button" class="link" onClick={() => { sessionStorage.removeItem(TOKEN_KEY); setApi(null); }}>Log out</button>
      </header>
      <div class="admin__panels">
        <UsersPanel api={api} />
        <MetricsPanel api={api} />
        <ReportsPanel api={api} />
        <GroupsPanel api={api} />
        <RoomsPanel api={api} />
        <WebhookLogPanel api={api} />
        <AppsSection api={api} />
      </div>
    </main>
  );
}

function AdminLogin({ baseUrl, onLogin }: { baseUrl: string; onLogin: (api: AdminApi) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const candidate = new AdminApi(baseUrl, token, (i, init) => fetch(i, init));
    try {
      await candidate.check();
      sessionStorage.setItem(TOKEN_KEY, token);
      onLogin(candidate);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <main class="auth" aria-labelledby="admin-title">
      <form class="auth__card form" onSubmit={(e) => void submit(e)}>
        <h1 id="admin-title" class="brand">Xinbox admin</h1>
        <label class="field">
          <span>Admin token</span>
          <input name="token" type="password" required value={token} onInput={(e) => setToken(e.currentTarget.value)} autoFocus data-testid="admin-token" />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="btn btn--primary">Log in</button>
      </form>
    </main>
  );
}

function UsersPanel({ api }: { api: AdminApi }) {
  const [query, setQuery] = useState('');
  const [user, setUser] = useState<AdminUser | null>(null);
  const [events, setEvents] = useState<AdminEvent[]>([]);
  const [error, setError] = useState('');
  const [matches, setMatches] = useState<AccountMatch[]>([]);
  /** The query is a username prefix or an id: the matches are listed; an exact (or the only) match is opened. */
  const search = async (q: string) => {
    setError('');
    try {
      const found = await searchAccounts(api, q.trim());
      setMatches(found);
      const pick = found.find((m) => m.username === q.trim().toLowerCase() || m.userId === q.trim()) ?? (found.length === 1 ? found[0] : undefined);
      if (pick) return await load(pick.username);
      setUser(null);
      setEvents([]);
      if (found.length === 0) setError(`NOT_FOUND: no user matches ${q}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const load = async (username: string) => {
    setError('');
    try {
      const u = await api.findUser(username);
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
      await api.setBanned(user.username, !user.banned, 'from the admin console');
      await load(user.username);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section class="admin__panel" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <form class="admin__search" onSubmit={(e) => { e.preventDefault(); void search(query); }}>
        <input aria-label="Username" placeholder="username, its start, or a user id" value={query} onInput={(e) => setQuery(e.currentTarget.value)} data-testid="admin-user-query" />
        <button type="submit" class="btn">Find</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {matches.length > 1 && (
        <ul class="admin__matches" data-testid="admin-user-matches">
          {matches.map((m) => (
            <li key={m.userId}><button type="button" class="link" onClick={() => void load(m.username)}>{m.username}</button> · id {m.userId}</li>
          ))}
        </ul>
      )}
      {user && (
        <div class="admin__user" data-testid="admin-user" data-banned={String(user.banned)}>
          <p>
            <strong>{user.username}</strong> · id {user.userId} · since {new Date(user.createdAt).toLocaleDateString()} ·{' '}
            <span data-testid="admin-user-state">{user.banned ? 'banned' : 'active'}</span>
          </p>
          <button type="button" class={user.banned ? 'btn' : 'btn btn--danger'} onClick={() => void toggleBan()} data-testid="admin-ban">
            {user.banned ? 'Lift the ban' : 'Ban (ends every session)'}
          </button>
          <AccountActions api={api} username={user.username} onDone={() => void load(user.username)} />
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

const FIGURES: Array<[string, (m: Record<string, unknown>) => unknown]> = [
  ['connections', (m) => m.connections],
  ['online users', (m) => m.users],
  ['send queue', (m) => m.sendQueue],
  ['event-loop lag p99 (ms)', (m) => m.eventLoopLagP99Ms],
  ['push notified', (m) => (m.push as Record<string, unknown> | undefined)?.notified ?? '—'],
  ['events recorded', (m) => (m.eventLog as Record<string, unknown> | undefined)?.recorded ?? '—'],
];

function MetricsPanel({ api }: { api: AdminApi }) {
  const [m, setM] = useState<Record<string, unknown> | null>(null);
  useEffect(() => {
    let live = true;
    const poll = () => void api.metrics().then((x) => live && setM(x), () => undefined);
    poll();
    const timer = setInterval(poll, 2_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api]);
  return (
    <section class="admin__panel" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Live metrics {m ? `· ${String(m.nodeId)}` : ''}</h2>
      <dl class="admin__figures" data-testid="admin-metrics">
        {FIGURES.map(([label, pick]) => (
          <div key={label}><dt>{label}</dt><dd>{m ? String(pick(m) ?? 0) : '…'}</dd></div>
        ))}
      </dl>
    </section>
  );
}
