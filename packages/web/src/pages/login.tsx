/**
 * The login page: a username and password form for Basic authentication (an empty username
 * takes an API token as the password).
 * @module
 */
import { useState } from 'react';
import type { GatewayApi } from '../gateway-api.js';

/** Login form. */
export function LoginPage(props: {
  api: GatewayApi;
  login: 'password' | 'jupyterhub';
  onLogin: () => void;
}) {
  const { api, login, onLogin } = props;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  if (login === 'jupyterhub') {
    return (
      <main className="login">
        <h1>Gatehouse</h1>
        <p>
          This gateway authenticates with JupyterHub. Logging in to the web UI through JupyterHub is
          not available yet; use the Python client from your JupyterHub session.
        </p>
      </main>
    );
  }
  return (
    <main className="login">
      <h1>Gatehouse</h1>
      <p>Log in to manage your Dask clusters.</p>
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
        {error !== '' && <p className="error">{error}</p>}
        <p className="hint">Leave the username empty to log in with an API token.</p>
      </form>
    </main>
  );
}
