/**
 * The Sharing panel of the owner's cluster page: who the cluster is shared with (user or group,
 * level, when), a form to share it with a user or group at `use` or `manage` (or change a
 * level), and Revoke per share. Revoking cuts API and dashboard access at once, but not a Dask
 * connection already made; the panel says so and points to docs/sharing.md.
 * @module
 */
import { useCallback, useEffect, useState } from 'react';
import type { GatewayApi, ShareInfo } from '../gateway-api.js';
import { LEVEL_WORDS } from './shared-clusters.js';

type Kind = ShareInfo['kind'];
type Level = ShareInfo['level'];

/** A labelled choice among `choices` (value → words). */
function Choice<T extends string>(props: {
  label: string;
  name: string;
  value: T;
  choices: Readonly<Record<T, string>>;
  set: (v: T) => void;
}) {
  const { label, name, value, choices, set } = props;
  const values = Object.keys(choices) as T[];
  return (
    <label>
      {label}{' '}
      <select
        name={name}
        value={value}
        onChange={(e) => {
          set(values.find((v) => v === e.target.value) ?? value);
        }}
      >
        {values.map((v) => (
          <option key={v} value={v}>
            {choices[v]}
          </option>
        ))}
      </select>
    </label>
  );
}

const KIND_WORDS: Readonly<Record<Kind, string>> = { user: 'user', group: 'group' };

function ShareForm(props: { onShare: (kind: Kind, principal: string, level: Level) => void }) {
  const [kind, setKind] = useState<Kind>('user');
  const [principal, setPrincipal] = useState('');
  const [level, setLevel] = useState<Level>('use');
  return (
    <form
      className="controls"
      aria-label="Share this cluster"
      onSubmit={(e) => {
        e.preventDefault();
        if (principal.trim() === '') return;
        props.onShare(kind, principal.trim(), level);
        setPrincipal('');
      }}
    >
      <Choice label="With" name="kind" value={kind} choices={KIND_WORDS} set={setKind} />
      <label>
        Name{' '}
        <input
          name="principal"
          required
          autoComplete="off"
          value={principal}
          onChange={(e) => {
            setPrincipal(e.target.value);
          }}
        />
      </label>
      <Choice label="Level" name="level" value={level} choices={LEVEL_WORDS} set={setLevel} />
      <button type="submit">Share</button>
    </form>
  );
}

/** The Sharing panel of cluster `name` (its owner only). */
export function ClusterSharing({ api, name }: { api: GatewayApi; name: string }) {
  const [shares, setShares] = useState<ShareInfo[] | null>(null);
  const [error, setError] = useState('');
  const fail = (e: unknown) => {
    setError(e instanceof Error ? e.message : String(e));
  };
  const load = useCallback(() => {
    api.shares.list(name).then(setShares, fail);
  }, [api, name]);
  useEffect(load, [load]);
  const act = (p: Promise<unknown>) => {
    setError('');
    p.then(load, fail);
  };
  return (
    <section aria-labelledby="sharing-heading" data-testid="sharing">
      <h2 id="sharing-heading">Sharing</h2>
      <p>
        Share this cluster with a colleague or a group. <b>use</b> lets them run code in it, so
        share only with people you trust with the cluster. Revoking ends their API and dashboard
        access at once, but not a Dask client already connected: restart the cluster for that.
      </p>
      {shares !== null && shares.length > 0 && (
        <table className="clusters">
          <caption className="visually-hidden">Shares of this cluster</caption>
          <thead>
            <tr>
              <th scope="col">With</th>
              <th scope="col">Level</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shares.map((s) => (
              <tr key={`${s.kind} ${s.principal}`} data-share={`${s.kind}:${s.principal}`}>
                <td data-label="With">
                  {s.kind} {s.principal}
                </td>
                <td data-label="Level">{LEVEL_WORDS[s.level]}</td>
                <td className="actions">
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Revoke the share with ${s.kind} ${s.principal}`}
                    onClick={() => {
                      act(api.shares.revoke(name, s.kind, s.principal));
                    }}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shares !== null && shares.length === 0 && <p>Not shared with anyone.</p>}
      <ShareForm
        onShare={(kind, principal, level) => {
          act(api.shares.grant(name, kind, principal, level));
        }}
      />
      {error !== '' && (
        <p className="error" role="alert" data-testid="sharing-error">
          {error}
        </p>
      )}
    </section>
  );
}
