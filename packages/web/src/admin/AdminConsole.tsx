/**
 * The operators' console: log in with the admin token, find a user, ban or
 * unban them (their sessions close at once), see their recent logins and
 * connections, and watch the node's live figures. Each further section is a
 * module of its own (UsersPanel, ReportsPanel, GroupsPanel, RoomsPanel, WebhookLogPanel, AppsSection, AccountActions).
 */
import { useEffect, useState } from 'preact/hooks';
import { AdminApi } from './admin-api.js';
import { AppsSection } from './AppsSection.js';
import { GroupsPanel } from './GroupsPanel.js';
import { ReportsPanel } from './ReportsPanel.js';
import { RoomsPanel } from './RoomsPanel.js';
import { UsersPanel } from './UsersPanel.js';
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
