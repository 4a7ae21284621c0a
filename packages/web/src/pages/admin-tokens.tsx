/**
 * The admin tokens section: issue an API token with a label (its secret shown once, with a copy
 * button), list the tokens and revoke them.
 * @module
 */
import { useRef, useState } from 'react';
import { formatRelative, type TokenJson } from '@gatehouse/api';
import { when } from '../format.js';
import { useLive } from '../live.js';
import type { AdminSectionProps } from './admin-calls.js';
import { TextField, message } from './admin-kit.js';

/** The new secret, with Copy (the clipboard, else the text selected for Ctrl+C). */
function Secret({ token, onDone }: { token: string; onDone: () => void }) {
  const box = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState('');
  const select = () => {
    box.current?.focus();
    box.current?.select();
  };
  return (
    <div className="secret" role="status">
      <label htmlFor="issued-token">New token, shown once: copy it now.</label>
      <input
        id="issued-token"
        data-testid="issued-token"
        readOnly
        value={token}
        onFocus={select}
        ref={box}
      />
      <button
        type="button"
        onClick={() => {
          const fallback = () => {
            select();
            setCopied('Selected: press Ctrl+C (⌘C) to copy.');
          };
          if (typeof navigator.clipboard === 'undefined') {
            fallback();
            return;
          }
          navigator.clipboard.writeText(token).then(() => {
            setCopied('Copied.');
          }, fallback);
        }}
      >
        Copy
      </button>
      <button type="button" onClick={onDone}>
        Done
      </button>
      {copied !== '' && <span data-testid="copy-note">{copied}</span>}
    </div>
  );
}

function IssueForm(props: { issue: (user: string, label: string, admin: boolean) => void }) {
  const [user, setUser] = useState('');
  const [label, setLabel] = useState('');
  const [admin, setAdmin] = useState(false);
  const [invalid, setInvalid] = useState('');
  return (
    <form
      className="inline"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (user.trim() === '') {
          setInvalid('Enter the user the token acts as.');
          return;
        }
        setInvalid('');
        props.issue(user.trim(), label.trim(), admin);
      }}
    >
      <TextField label="User" name="token-user" value={user} set={setUser} error={invalid} />
      <TextField
        label="Label"
        name="token-label"
        value={label}
        set={setLabel}
        placeholder="what it is for"
      />
      <label className="check">
        <span>
          <input
            type="checkbox"
            name="token-admin"
            checked={admin}
            onChange={(e) => {
              setAdmin(e.target.checked);
            }}
          />{' '}
          Admin token
        </span>
      </label>
      <button type="submit">Issue token</button>
    </form>
  );
}

function TokenRow({ t, revoke }: { t: TokenJson; revoke: () => void }) {
  return (
    <tr data-token={t.id} data-label={t.label}>
      <td>
        <code>{t.id}</code>
      </td>
      <td>
        {t.username}
        {t.admin ? ' (admin)' : ''}
      </td>
      <td>{t.label === '' ? <span className="muted">none</span> : t.label}</td>
      <td>{t.created_by}</td>
      <td>
        <time title={when(t.created_at)}>{formatRelative(t.created_at, Date.now())}</time>
      </td>
      <td>
        {t.revoked_at === null ? (
          <button className="danger" onClick={revoke}>
            Revoke <span className="visually-hidden">token {t.label || t.id}</span>
          </button>
        ) : (
          <span className="muted">revoked {formatRelative(t.revoked_at, Date.now())}</span>
        )}
      </td>
    </tr>
  );
}

/** The tokens section. */
export function ApiTokens({ api }: AdminSectionProps) {
  const tokens = useLive(
    api,
    () => api.admin.tokens(),
    () => false,
    10_000
  );
  const [issued, setIssued] = useState('');
  const [error, setError] = useState('');
  const fail = (e: unknown) => {
    setError(message(e));
  };
  const list = tokens.value;
  return (
    <>
      <h2>API tokens</h2>
      <p className="muted">
        A token acts as its user for scripts and the CLI (<code>GATEHOUSE_TOKEN</code>). Its secret
        is shown once.
      </p>
      <IssueForm
        issue={(user, label, admin) => {
          setError('');
          api.admin.issueToken(user, label, admin).then((t) => {
            setIssued(t.token);
            tokens.refresh();
          }, fail);
        }}
      />
      {issued !== '' && (
        <Secret
          token={issued}
          onDone={() => {
            setIssued('');
          }}
        />
      )}
      {(error !== '' || tokens.error !== '') && (
        <p className="error" role="alert">
          {error !== '' ? error : tokens.error}
        </p>
      )}
      {list === null ? (
        <p>Loading…</p>
      ) : list.length === 0 ? (
        <p>No tokens issued yet.</p>
      ) : (
        <div className="table-box" tabIndex={0} role="region" aria-label="API tokens">
          <table data-testid="tokens">
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">User</th>
                <th scope="col">Label</th>
                <th scope="col">Issued by</th>
                <th scope="col">Issued</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <TokenRow
                  key={t.id}
                  t={t}
                  revoke={() => {
                    if (window.confirm(`Revoke token ${t.label || t.id}? Scripts using it stop.`))
                      api.admin.revokeToken(t.id).then(tokens.refresh, fail);
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
