/**
 * The admin page's API tokens: the form that issues one (its secret shown once) and the list
 * with revoke.
 * @module
 */
import { useEffect, useState } from 'react';
import type { GatewayApi, TokenInfo } from '../gateway-api.js';
import { when } from '../format.js';

function IssueTokenForm(props: {
  api: GatewayApi;
  onIssued: () => void;
  fail: (e: unknown) => void;
}) {
  const { api, onIssued, fail } = props;
  const [issued, setIssued] = useState('');
  const [user, setUser] = useState('');
  const [label, setLabel] = useState('');
  const [admin, setAdmin] = useState(false);
  return (
    <>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          api.admin.issueToken(user, label, admin).then((t) => {
            setIssued(t.token);
            onIssued();
          }, fail);
        }}
      >
        <input
          name="token-user"
          placeholder="user"
          value={user}
          onChange={(e) => {
            setUser(e.target.value);
          }}
        />
        <input
          name="token-label"
          placeholder="label"
          value={label}
          onChange={(e) => {
            setLabel(e.target.value);
          }}
        />
        <label>
          <input
            type="checkbox"
            checked={admin}
            onChange={(e) => {
              setAdmin(e.target.checked);
            }}
          />{' '}
          admin
        </label>
        <button type="submit">Issue token</button>
      </form>
      {issued !== '' && (
        <p className="ok">
          New token (shown once): <code data-testid="issued-token">{issued}</code>
        </p>
      )}
    </>
  );
}

/** Issue, list and revoke API tokens; `fail` shows an error on the page. */
export function ApiTokens({ api, fail }: { api: GatewayApi; fail: (e: unknown) => void }) {
  const [tokens, setTokens] = useState<TokenInfo[]>([]);
  const load = () => {
    api.admin.tokens().then(setTokens, fail);
  };
  useEffect(load, [api]);
  return (
    <>
      <IssueTokenForm api={api} onIssued={load} fail={fail} />
      <table>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td>{t.id}</td>
              <td>
                {t.username}
                {t.admin ? ' (admin)' : ''}
              </td>
              <td>{t.label}</td>
              <td>{when(t.created_at)}</td>
              <td>
                {t.revoked_at === null ? (
                  <button
                    onClick={() => {
                      api.admin.revokeToken(t.id).then(load, fail);
                    }}
                  >
                    Revoke
                  </button>
                ) : (
                  'revoked'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
