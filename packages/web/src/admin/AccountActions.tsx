/**
 * Account actions under a found user: end every session (their devices are
 * disconnected and must log in again) or reset the password (a random one,
 * shown once here for the operator to hand over; every session ends too).
 */
import { useState } from 'preact/hooks';
import type { AdminApi } from './admin-api.js';
import { resetPassword, revokeSessions } from './accounts-api.js';

export function AccountActions({ api, username, app, onDone }: { api: AdminApi; username: string; app: string; onDone: () => void }) {
  const [result, setResult] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const run = async (action: () => Promise<void>) => {
    setError('');
    try {
      await action();
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div class="admin__actions" data-testid="admin-account-actions">
      <button type="button" class="btn" data-testid="admin-revoke" onClick={() => void run(async () => {
        setPassword('');
        setResult(`${await revokeSessions(api, username, app)} sessions ended`);
      })}>End all sessions</button>
      <button type="button" class="btn" data-testid="admin-reset-password" onClick={() => void run(async () => {
        const r = await resetPassword(api, username, app);
        setPassword(r.password);
        setResult(`password reset; ${r.revoked} sessions ended`);
      })}>Reset password</button>
      {result && <span class="admin__meta" role="status">{result}</span>}
      {password && <code data-testid="admin-new-password">{password}</code>}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}
