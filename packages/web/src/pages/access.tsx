/**
 * The page of a user without access: what it means, and their latest access request as the
 * gateway remembers it (pending survives a reload; a denial shows with the admin's reason), or
 * the form to ask; the configured contact for help. Checks for a grant every 10 s.
 * @module
 */
import { useEffect, useState } from 'react';
import { formatRelative, when } from '../format.js';
import type { AccessRequest, GatewayApi, SessionUser } from '../gateway-api.js';
import { Contact } from './states.js';

function RequestState({ request, now }: { request: AccessRequest; now: number }) {
  const sent = (
    <time dateTime={new Date(request.created_at).toISOString()} title={when(request.created_at)}>
      {formatRelative(request.created_at, now)}
    </time>
  );
  if (request.status === 'denied')
    return (
      <div className="error" role="alert" data-testid="request-denied">
        <p>
          Your request (sent {sent}) was denied
          {request.decided_by === null ? '' : ` by ${request.decided_by}`}.
        </p>
        <p>
          Reason:{' '}
          {request.reason === null || request.reason === '' ? 'none given.' : request.reason}
        </p>
      </div>
    );
  return (
    <p className="ok" role="status" data-testid="request-pending">
      Your request (sent {sent}) is waiting for an administrator. This page moves on by itself once
      you are granted access.
    </p>
  );
}

function RequestForm(props: {
  api: GatewayApi;
  again: boolean;
  onSent: (r: AccessRequest) => void;
}) {
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setError('');
        props.api.requestAccess(message).then(props.onSent, (err: unknown) => {
          setError(err instanceof Error ? err.message : String(err));
        });
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
      <button type="submit">{props.again ? 'Request access again' : 'Request access'}</button>
      {error !== '' && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** Access request page. */
export function AccessPage(props: {
  api: GatewayApi;
  user: SessionUser;
  contact: string | null;
  onGranted: () => void;
}) {
  const { api, user, contact, onGranted } = props;
  const [sent, setSent] = useState<AccessRequest | null>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => {
      setNow(Date.now());
      onGranted();
    }, 10_000);
    return () => {
      clearInterval(t);
    };
  }, [onGranted]);
  const request = sent ?? user.access_request;
  return (
    <section>
      <h1>You need access</h1>
      <p>
        You are logged in as <b>{user.name}</b>, but you have not been granted access to this Dask
        Gateway yet. An administrator has to approve it before you can start clusters.
      </p>
      {request !== null && <RequestState request={request} now={now} />}
      {request?.status === 'pending' ? (
        <button type="button" onClick={onGranted}>
          Check again
        </button>
      ) : (
        <RequestForm api={api} again={request !== null} onSent={setSent} />
      )}
      <Contact contact={contact} />
    </section>
  );
}
