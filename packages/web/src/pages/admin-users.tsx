/**
 * The admin users section: grant by name (a user who filed no request too), and a table of
 * every user the gateway knows with how they are let in, their groups, what they hold now,
 * their core-hours over 30 days, their quota and any pending request, with revoke.
 * @module
 */
import { useState } from 'react';
import { formatBytes, formatCoreHours, formatCores, type AdminUser } from '@gatehouse/api';
import { useLive } from '../live.js';
import { Link } from '../page-kit.js';
import type { AdminSectionProps } from './admin-calls.js';
import { quotaSummary } from './quota-form.js';
import { accessOf, notRevocable } from './admin-words.js';
import { Problem, TextField, useAction } from './admin-kit.js';

function GrantForm({ onGrant }: { onGrant: (name: string) => void }) {
  const [name, setName] = useState('');
  const [invalid, setInvalid] = useState('');
  return (
    <form
      className="inline"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const n = name.trim();
        if (n === '') {
          setInvalid('Enter the user name to grant.');
          return;
        }
        setInvalid('');
        onGrant(n);
        setName('');
      }}
    >
      <TextField label="User name" name="grant-user" value={name} set={setName} error={invalid} />
      <button type="submit">Grant access</button>
    </form>
  );
}

function UserRow(
  props: { u: AdminUser; act: (p: Promise<unknown>, ok: string) => void } & Pick<
    AdminSectionProps,
    'api' | 'go'
  >
) {
  const { u, act, api, go } = props;
  const why = notRevocable(u);
  return (
    <tr data-user={u.name}>
      <th scope="row">{u.name}</th>
      <td data-label="Access">{accessOf(u)}</td>
      <td data-label="Groups">
        {u.groups.length === 0 ? <span className="muted">none</span> : u.groups.join(', ')}
      </td>
      <td data-label="Clusters" className="num">
        {u.active_clusters}
      </td>
      <td data-label="Cores now" className="num">
        {formatCores(u.usage.cores)}
      </td>
      <td data-label="Memory now" className="num">
        {formatBytes(u.usage.memory)}
      </td>
      <td data-label="Use, 30 days" className="num">
        {formatCoreHours(u.core_hours_30d)}
      </td>
      <td data-label="Quota">
        <Link go={go} to={`/admin/quotas?user=${encodeURIComponent(u.name)}`}>
          {quotaSummary(u.quota)}
        </Link>
      </td>
      <td data-label="Request">
        {u.pending_request ? (
          <Link go={go} to="/admin/requests">
            pending
          </Link>
        ) : (
          ''
        )}
      </td>
      <td data-label="Actions">
        {!u.granted ? (
          <button
            onClick={() => {
              act(api.admin.grant(u.name), `Granted ${u.name}.`);
            }}
          >
            Grant <span className="visually-hidden">{u.name}</span>
          </button>
        ) : why === null ? (
          <button
            className="danger"
            onClick={() => {
              if (window.confirm(`Revoke ${u.name}'s access? Their clusters keep running.`))
                act(api.admin.revoke(u.name), `Revoked ${u.name}.`);
            }}
          >
            Revoke <span className="visually-hidden">{u.name}</span>
          </button>
        ) : (
          <span className="muted" title={why}>
            {why}
          </span>
        )}
      </td>
    </tr>
  );
}

function Table({
  list,
  ...rest
}: { list: readonly AdminUser[] } & Omit<Parameters<typeof UserRow>[0], 'u'>) {
  return (
    <div className="table-box" tabIndex={0} role="region" aria-label="Users">
      <table data-testid="users" className="stack">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Access</th>
            <th scope="col">Groups</th>
            <th scope="col" className="num">
              Clusters
            </th>
            <th scope="col" className="num">
              Cores now
            </th>
            <th scope="col" className="num">
              Memory now
            </th>
            <th scope="col" className="num">
              Use, 30 days
            </th>
            <th scope="col">Quota</th>
            <th scope="col">Request</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.map((u) => (
            <UserRow key={u.name} u={u} {...rest} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The users section. */
export function UsersTable({ api, go, refreshCounts }: AdminSectionProps) {
  const users = useLive(
    api,
    () => api.admin.users(),
    () => true,
    5000
  );
  const { act, notice } = useAction(() => {
    users.refresh();
    refreshCounts();
  });
  const [filter, setFilter] = useState('');
  const list = users.value;
  return (
    <>
      <h2>Users</h2>
      <p className="muted">
        Grant a user by name, before or without an access request. Access through a group
        (access.grant_groups) or the admin role comes from the config and is changed there.
      </p>
      <GrantForm
        onGrant={(n) => {
          act(api.admin.grant(n), `Granted ${n}.`);
        }}
      />
      {notice}
      <Problem text={users.error} />
      {list === null ? (
        <p>Loading…</p>
      ) : list.length === 0 ? (
        <p>No users yet: users appear once they log in, request access or are granted.</p>
      ) : (
        <>
          <div className="toolbar">
            <TextField
              label="Filter users by name"
              name="user-filter"
              value={filter}
              set={setFilter}
            />
          </div>
          <Table
            list={list.filter((u) => u.name.includes(filter.trim()))}
            act={act}
            api={api}
            go={go}
          />
        </>
      )}
    </>
  );
}
