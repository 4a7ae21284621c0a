/**
 * The login page: a username and password form for Basic authentication (an empty username
 * takes an API token as the password), or, with JupyterHub, a link that starts the hub's OAuth
 * login. A failed hub login comes back here with its message in `?error=`.
 * @module
 */
import { useState } from 'react';
import { safeNext } from '@gatehouse/api/safe-next';
import type { GatewayApi } from '../gateway-api.js';

/** The username and password form. */
function PasswordForm({ api, onLogin }: { api: GatewayApi; onLogin: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setError('');
        api.login(username, password).then(onLogin, (err: unknown) => {
          setError(err instanceof Error ? err.message : String(err));
        });
      }}
    >
      <label>
        Username
        <input
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => {
            setUsername(e.target.value);
          }}
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
          }}
        />
      </label>
      <button type="submit">Log in</button>
      {error !== '' && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="hint">Leave the username empty to log in with an API token.</p>
    </form>
  );
}

/** Login page. */
export function LoginPage(props: {
  api: GatewayApi;
  login: 'password' | 'jupyterhub';
  /** Where to go after login (a path on this gateway), if not the UI's start page. */
  next: string | null;
  /** Why the last login through the hub failed, if it did. */
  hubError: string | null;
  /** The session ended while a page was open (the page comes back after login). */
  expired?: boolean;
  onLogin: () => void;
}) {
  const { api, login, next, hubError, onLogin, expired = false } = props;
  const target = safeNext(next, api.base);
  const start = `${api.base}/api/ui/oauth/start${target === null ? '' : `?next=${encodeURIComponent(target)}`}`;
  return (
    <main className="login">
      <h1>Gatehouse</h1>
      <p>Log in to manage your Dask clusters.</p>
      {expired && (
        <p className="warning" role="alert" data-testid="session-expired">
          Your session has expired. Log in again to go back to where you were.
        </p>
      )}
      {login === 'jupyterhub' ? (
        <p>
          <a className="button" href={start}>
            Log in with JupyterHub
          </a>
        </p>
      ) : (
        <PasswordForm api={api} onLogin={onLogin} />
      )}
      {hubError !== null && (
        <p className="error" role="alert">
          {hubError}
        </p>
      )}
    </main>
  );
}
