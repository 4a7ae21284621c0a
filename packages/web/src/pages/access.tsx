/**
 * The page of a user without access: what it means, and a form to request access.
 * @module
 */
import { useState } from 'react';
import type { GatewayApi } from '../gateway-api.js';

/** Access request page. */
export function AccessPage(props: { api: GatewayApi; user: string; onGranted: () => void }) {
  const { api, user, onGranted } = props;
  const [message, setMessage] = useState('');
  const [state, setState] = useState<'form' | 'sent'>('form');
  const [error, setError] = useState('');
  return (
    <section>
      <h1>You need access</h1>
      <p>
        You are logged in as <b>{user}</b>, but you have not been granted access to this Dask
        Gateway yet. An administrator has to approve it before you can start clusters.
      </p>
      {state === 'sent' ? (
        <>
          <p className="ok" role="status">
            Your request was sent. An administrator will review it.
          </p>
          <button onClick={onGranted}>Check again</button>
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            api.requestAccess(message).then(
              () => {
                setState('sent');
              },
              (err: unknown) => {
                setError(err instanceof Error ? err.message : String(err));
              }
            );
          }}
        >
          <label>
            Why do you need access? (optional)
            <textarea
              name="message"
              value={message}
              onChange={(e) => {
                setMessage(e.target.value);
              }}
            />
          </label>
          <button type="submit">Request access</button>
          {error !== '' && <p className="error">{error}</p>}
        </form>
      )}
    </section>
  );
}
