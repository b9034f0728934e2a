/** Log in or register with a username and password. */
import { useState } from 'preact/hooks';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { ThemeToggle } from './ThemeToggle.js';

type Mode = 'login' | 'register';

export function AuthScreen() {
  const { app } = useServices();
  const connection = useStore(app.connection);
  const [mode, setMode] = useState<Mode>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      if (mode === 'register') await app.register(username, password);
      else await app.login(username, password);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  const other: Mode = mode === 'login' ? 'register' : 'login';
  return (
    <main class="auth" aria-labelledby="auth-title">
      <div class="auth__card">
        <div class="auth__top">
          <h1 id="auth-title" class="brand">
            <span class="brand__mark" aria-hidden="true">✉</span> Xinbox
          </h1>
          <ThemeToggle />
        </div>
        <p class="auth__lead">{mode === 'login' ? 'Log in to your account' : 'Create an account'}</p>
        {connection.notice && (
          <p class="notice" role="status">
            {connection.notice}
          </p>
        )}
        <form onSubmit={submit} class="form">
          <label class="field">
            <span>Username</span>
            <input
              name="username"
              autoComplete="username"
              required
              minLength={3}
              maxLength={32}
              pattern="[A-Za-z0-9_.\-]{3,32}"
              title="3 to 32 letters, digits, _ . or -"
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
              autoFocus
            />
          </label>
          <label class="field">
            <span>Password</span>
            <input
              name="password"
              type="password"
              autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
              required
              minLength={mode === 'register' ? 8 : 1}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="btn btn--primary" disabled={busy}>
            {busy ? 'Please wait…' : mode === 'login' ? 'Log in' : 'Register'}
          </button>
        </form>
        <p class="auth__switch">
          {mode === 'login' ? 'New to Xinbox?' : 'Already have an account?'}{' '}
          <button
            type="button"
            class="link"
            onClick={() => {
              setMode(other);
              setError('');
            }}
          >
            {other === 'register' ? 'Create an account' : 'Log in instead'}
          </button>
        </p>
      </div>
    </main>
  );
}
