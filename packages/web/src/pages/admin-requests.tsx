/**
 * The admin requests section: pending access requests, each approved (which grants its user)
 * or denied with a reason the user then reads on their access page; and the decided ones.
 * @module
 */
import { useState } from 'react';
import { formatRelative, type RequestJson } from '@gatehouse/api';
import { when } from '../format.js';
import { useLive } from '../live.js';
import type { AdminSectionProps } from './admin-calls.js';
import { Problem, useAction } from './admin-kit.js';

function Ago({ ms }: { ms: number }) {
  return (
    <time dateTime={new Date(ms).toISOString()} title={when(ms)}>
      {formatRelative(ms, Date.now())}
    </time>
  );
}

function DenyForm(props: {
  r: RequestJson;
  onDeny: (reason: string) => void;
  onCancel: () => void;
}) {
  const { r, onDeny, onCancel } = props;
  const [reason, setReason] = useState('');
  return (
    <form
      className="inline"
      aria-label={`Deny ${r.username}`}
      onSubmit={(e) => {
        e.preventDefault();
        onDeny(reason);
      }}
    >
      <label>
        Reason {r.username} will see (optional)
        <textarea
          name="deny-reason"
          maxLength={1000}
          value={reason}
          onChange={(e) => {
            setReason(e.target.value);
          }}
        />
      </label>
      <button type="submit" className="danger">
        Deny request
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

function PendingRow(props: {
  r: RequestJson;
  denying: boolean;
  setDenying: (id: number | null) => void;
  approve: () => void;
  deny: (reason: string) => void;
}) {
  const { r, denying, setDenying, approve, deny } = props;
  return (
    <li className="request" data-user={r.username}>
      <p>
        <strong>{r.username}</strong> asked <Ago ms={r.created_at} />
        {r.message === '' ? '' : ':'}
      </p>
      {r.message !== '' && <blockquote>{r.message}</blockquote>}
      {denying ? (
        <DenyForm
          r={r}
          onDeny={deny}
          onCancel={() => {
            setDenying(null);
          }}
        />
      ) : (
        <p className="toolbar">
          <button onClick={approve}>
            Approve <span className="visually-hidden">{r.username}</span>
          </button>
          <button
            className="danger"
            onClick={() => {
              setDenying(r.id);
            }}
          >
            Deny… <span className="visually-hidden">{r.username}</span>
          </button>
        </p>
      )}
    </li>
  );
}

function Decided({ decided }: { decided: readonly RequestJson[] }) {
  if (decided.length === 0) return <p className="muted">No decided requests yet.</p>;
  return (
    <div className="table-box" tabIndex={0} role="region" aria-label="Decided requests">
      <table data-testid="decided-requests">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Decision</th>
            <th scope="col">By</th>
            <th scope="col">When</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {decided.map((r) => (
            <tr key={r.id} data-user={r.username}>
              <th scope="row">{r.username}</th>
              <td>{r.status}</td>
              <td>{r.decided_by ?? ''}</td>
              <td>{r.decided_at === null ? '' : <Ago ms={r.decided_at} />}</td>
              <td>{r.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The requests section. */
export function AdminRequests({ api, calls, refreshCounts }: AdminSectionProps) {
  const all = useLive(
    api,
    () => calls.requests(),
    () => false,
    5000
  );
  const [denying, setDenying] = useState<number | null>(null);
  const { act, notice } = useAction(() => {
    setDenying(null);
    all.refresh();
    refreshCounts();
  });
  const list = all.value;
  const pending = (list ?? []).filter((r) => r.status === 'pending');
  return (
    <>
      <h2>Access requests</h2>
      {notice}
      <Problem text={all.error} />
      {list === null ? (
        <p>Loading…</p>
      ) : pending.length === 0 ? (
        <p data-testid="no-requests">No pending requests.</p>
      ) : (
        <ul className="requests" data-testid="requests">
          {pending.map((r) => (
            <PendingRow
              key={r.id}
              r={r}
              denying={denying === r.id}
              setDenying={setDenying}
              approve={() => {
                act(api.admin.approve(r.id), `Approved ${r.username}: they have access now.`);
              }}
              deny={(reason) => {
                act(calls.deny(r.id, reason), `Denied ${r.username}; they see the reason.`);
              }}
            />
          ))}
        </ul>
      )}
      <h3>Decided</h3>
      <Decided decided={(list ?? []).filter((r) => r.status !== 'pending').slice(0, 50)} />
    </>
  );
}
