/**
 * The moderation queue: open reports (users' and the content filter's),
 * newest first; the operator reads the excerpt and dismisses the report or
 * mutes or bans its sender (a ban closes the sender's sessions at once).
 * Resolved reports are one tab away, with what was decided.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AdminApi } from './admin-api.js';
import { listReports, resolveReport, type AdminReport, type ReportAction } from './reports-api.js';
import { usePolling } from './use-polling.js';

const ACTIONS: Array<[string, ReportAction, string]> = [
  ['Dismiss', { action: 'dismiss' }, 'btn'],
  ['Mute 1 h', { action: 'mute', minutes: 60 }, 'btn'],
  ['Ban sender', { action: 'ban' }, 'btn btn--danger'],
];

export function ReportsPanel({ api }: { api: AdminApi }) {
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const [reports, setReports] = useState<AdminReport[] | null>(null);
  const [error, setError] = useState('');
  const refresh = () => listReports(api, status).then((r) => { setReports(r); setError(''); }, (e: unknown) => setError(message(e)));
  useEffect(() => setReports(null), [status]);
  usePolling(refresh, 3_000, [api, status]);
  const act = async (report: AdminReport, action: ReportAction) => {
    try {
      await resolveReport(api, report.id, action, 'from the admin console');
      await refresh();
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <section class="admin__panel" aria-labelledby="reports-title" data-testid="admin-reports">
      <h2 id="reports-title">Reports</h2>
      <div class="admin__tabs" role="tablist">
        {(['open', 'resolved'] as const).map((s) => (
          <button key={s} type="button" role="tab" aria-selected={status === s} class={status === s ? 'btn btn--primary' : 'btn'} onClick={() => setStatus(s)}>{s}</button>
        ))}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {reports?.length === 0 && <p class="admin__empty">No {status} reports.</p>}
      <ul class="admin__list">
        {reports?.map((r) => (
          <li key={r.id} class="admin__report" data-testid="admin-report" data-report-id={r.id}>
            <p class="admin__excerpt">“{r.excerpt}”</p>
            <p class="admin__meta">
              sender {r.senderId} · {r.reporterId === '0' ? 'content filter' : `reported by ${r.reporterId}`} · {r.reason} ·{' '}
              {new Date(r.createdAt).toLocaleString()}
              {r.status === 'resolved' && <> · <strong data-testid="admin-report-resolution">{r.resolution}</strong></>}
            </p>
            {r.status === 'open' && (
              <div class="admin__actions">
                {ACTIONS.map(([label, action, cls]) => (
                  <button key={label} type="button" class={cls} onClick={() => void act(r, action)}>{label}</button>
                ))}
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
