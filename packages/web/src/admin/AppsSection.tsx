/**
 * The deployment's apps (ADR 0013): list them, create one (its server API
 * secret is shown once, with a copy button), rotate and retire secrets, and
 * edit an app's webhook (with its before-send check) and limits. `default` comes from the server config
 * and is shown read-only.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AdminApi } from './admin-api.js';
import { createApp, listApps, retireSecret, rotateSecret, updateApp, type AdminApp, type IssuedSecret } from './apps-api.js';

const LIMITS: Array<[string, string]> = [
  ['limitSendPerUser', 'sends/s per user'],
  ['limitReadPerUser', 'reads/s per user'],
  ['limitCreatePerUser', 'creations/s per user'],
  ['limitRegisterPerIpPerMin', 'registrations/min per IP'],
  ['limitLoginPerIpPerMin', 'logins/min per IP'],
];

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function AppsSection({ api }: { api: AdminApi }) {
  const [apps, setApps] = useState<AdminApp[]>([]);
  const [issued, setIssued] = useState<IssuedSecret | null>(null);
  const [error, setError] = useState('');
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const refresh = () => listApps(api).then(setApps, (e: unknown) => setError(message(e)));
  useEffect(() => void refresh(), [api]);
  const act = async (f: () => Promise<unknown>) => {
    setError('');
    try {
      await f();
      await refresh();
    } catch (e) {
      setError(message(e));
    }
  };
  const create = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      setIssued(await createApp(api, id.trim(), name.trim()));
      setId('');
      setName('');
    });
  };
  return (
    <section class="admin__panel" aria-labelledby="apps-title" data-testid="admin-apps">
      <h2 id="apps-title">Apps</h2>
      <form class="admin__search" onSubmit={create}>
        <input aria-label="New app id" placeholder="app id (a-z, 0-9, -)" value={id} onInput={(e) => setId(e.currentTarget.value)} />
        <input aria-label="New app name" placeholder="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit" class="btn">Create app</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {issued && <SecretOnce issued={issued} onDismiss={() => setIssued(null)} />}
      <ul class="admin__list">
        {apps.map((a) => (
          <AppRow key={a.id} app={a} act={act} api={api} onIssued={setIssued} />
        ))}
      </ul>
    </section>
  );
}

/** A new secret: shown this once (the server keeps only its digest). */
function SecretOnce({ issued, onDismiss }: { issued: IssuedSecret; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = () => void navigator.clipboard.writeText(issued.secret).then(() => setCopied(true), () => setCopied(false));
  return (
    <div class="admin__user" role="status" data-testid="admin-app-secret">
      <p>Server API secret of <strong>{issued.app.id}</strong> — shown only now, store it:</p>
      <code data-testid="admin-app-secret-value">{issued.secret}</code>{' '}
      <button type="button" class="btn" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>{' '}
      <button type="button" class="link" onClick={onDismiss}>Done</button>
    </div>
  );
}

function AppRow({ app, api, act, onIssued }: { app: AdminApp; api: AdminApi; act: (f: () => Promise<unknown>) => Promise<void>; onIssued: (s: IssuedSecret) => void }) {
  const [editing, setEditing] = useState(false);
  return (
    <li class="admin__report" data-testid="admin-app" data-app-id={app.id}>
      <strong>{app.id}</strong> · {app.name}{app.builtIn ? ' · from the server config' : ''}
      <div>
        Secrets:{' '}
        {app.secrets.map((d) => (
          <span key={d} data-testid="admin-app-digest">
            <code>{d}</code>
            {!app.builtIn && app.secrets.length > 1 && (
              <button type="button" class="link" onClick={() => void act(() => retireSecret(api, app.id, d))}>Retire {d}</button>
            )}{' '}
          </span>
        ))}
        {!app.builtIn && (
          <button type="button" class="btn" onClick={() => void act(async () => onIssued(await rotateSecret(api, app.id)))}>Rotate secret</button>
        )}
      </div>
      <div data-testid="admin-app-webhook">
        Webhook: {app.webhook ? `${app.webhook.url} [${app.webhook.events}] signed with ${app.webhook.signingSecrets.join(', ')}` : 'none'}
      </div>
      <div data-testid="admin-app-before-send">
        Before-send check: {beforeSendText(app)}
      </div>
      <div data-testid="admin-app-limits">
        Limits: {Object.entries(app.limits).map(([k, v]) => `${k}=${v}`).join(', ') || 'the server\'s'}
      </div>
      {!app.builtIn && !editing && <button type="button" class="btn" onClick={() => setEditing(true)}>Edit {app.id}</button>}
      {editing && <AppEditor app={app} onSave={(patch) => act(async () => { await updateApp(api, app.id, patch); setEditing(false); })} onCancel={() => setEditing(false)} />}
    </li>
  );
}

function beforeSendText(app: AdminApp): string {
  if (app.builtIn) return 'the server config\'s (beforeSendUrl)';
  const b = app.webhook?.beforeSend;
  if (!b) return 'none (every message admitted)';
  return `${b.url}${b.timeoutMs ? ` · ${b.timeoutMs} ms` : ''} · on failure ${b.onFailure ?? 'as the server config'}`;
}

function AppEditor({ app, onSave, onCancel }: { app: AdminApp; onSave: (patch: Parameters<typeof updateApp>[2]) => Promise<void>; onCancel: () => void }) {
  const [url, setUrl] = useState(app.webhook?.url ?? '');
  const [secret, setSecret] = useState('');
  const [events, setEvents] = useState(app.webhook?.events ?? '*');
  const [hookUrl, setHookUrl] = useState(app.webhook?.beforeSend?.url ?? '');
  const [hookTimeout, setHookTimeout] = useState(app.webhook?.beforeSend?.timeoutMs === undefined ? '' : String(app.webhook.beforeSend.timeoutMs));
  const [hookOnFailure, setHookOnFailure] = useState(app.webhook?.beforeSend?.onFailure ?? '');
  const [limits, setLimits] = useState<Record<string, string>>(Object.fromEntries(LIMITS.map(([k]) => [k, app.limits[k] === undefined ? '' : String(app.limits[k])])));
  const save = (e: Event) => {
    e.preventDefault();
    const beforeSend = hookUrl.trim()
      ? {
        url: hookUrl.trim(), ...(hookTimeout.trim() ? { timeoutMs: Number(hookTimeout) } : {}),
        ...(hookOnFailure ? { onFailure: hookOnFailure as 'allow' | 'reject' } : {}),
      }
      : null;
    const webhook = url.trim() ? { url: url.trim(), events: events.trim() || '*', ...(secret ? { signingSecrets: [secret] } : {}), beforeSend } : null;
    const chosen = Object.fromEntries(Object.entries(limits).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, Number(v)]));
    void onSave({ webhook, limits: chosen });
  };
  return (
    <form class="form" onSubmit={save} data-testid="admin-app-editor">
      <label class="field"><span>Webhook URL (empty: none)</span><input aria-label="Webhook URL" value={url} onInput={(e) => setUrl(e.currentTarget.value)} /></label>
      <label class="field">
        <span>Signing secret (16+ characters; empty: keep the current one)</span>
        <input aria-label="Signing secret" type="password" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
      </label>
      <label class="field"><span>Events</span><input aria-label="Events" value={events} onInput={(e) => setEvents(e.currentTarget.value)} /></label>
      <label class="field">
        <span>Before-send check URL (signed with the signing secret; empty: none)</span>
        <input aria-label="Before-send URL" value={hookUrl} onInput={(e) => setHookUrl(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>Before-send timeout, ms (empty: the server's)</span>
        <input aria-label="Before-send timeout" inputMode="numeric" value={hookTimeout} onInput={(e) => setHookTimeout(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>When the check fails or times out</span>
        <select aria-label="Before-send on failure" value={hookOnFailure} onChange={(e) => setHookOnFailure(e.currentTarget.value)}>
          <option value="">as the server config</option>
          <option value="allow">allow (fail open)</option>
          <option value="reject">reject (fail closed)</option>
        </select>
      </label>
      {LIMITS.map(([k, label]) => (
        <label class="field" key={k}>
          <span>{label} (empty: the server's)</span>
          <input aria-label={k} inputMode="numeric" value={limits[k]} onInput={(e) => setLimits({ ...limits, [k]: e.currentTarget.value })} />
        </label>
      ))}
      <button type="submit" class="btn btn--primary">Save</button>{' '}
      <button type="button" class="link" onClick={onCancel}>Cancel</button>
    </form>
  );
}
