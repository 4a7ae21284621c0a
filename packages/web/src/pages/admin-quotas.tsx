/**
 * The admin quotas section: the quota that applies to each user and to each group, each row
 * editable in place (an admin override; "Back to the configured quota" removes it). A user gets,
 * per limit, their own value, else the most generous of their groups', else the default.
 * @module
 */
import { Fragment, useState } from 'react';
import type { AdminUser, GroupQuotaJson } from '@gatehouse/api';
import { useLive } from '../live.js';
import { useLocation } from '../router.js';
import type { AdminSectionProps, QuotaValues } from './admin-calls.js';
import { Problem, TextField, useAction } from './admin-kit.js';
import { QuotaForm, quotaCells, type PartialQuota } from './quota-form.js';

interface Row {
  readonly name: string;
  readonly quota: PartialQuota;
  readonly source: string;
  readonly overridden: boolean;
}

/** A table of rows with an Edit button each; the edited row opens its form below it. */
function QuotaTable(props: {
  label: string;
  first: string;
  rows: readonly Row[];
  editing: string | null;
  setEditing: (name: string | null) => void;
  save: (name: string, q: QuotaValues) => void;
  reset: (name: string) => void;
}) {
  const { label, first, rows, editing, setEditing, save, reset } = props;
  const unsets = first === 'Group';
  return (
    <div className="table-box" tabIndex={0} role="region" aria-label={label}>
      <table data-testid={label.toLowerCase().replaceAll(' ', '-')} className="stack">
        <thead>
          <tr>
            <th scope="col">{first}</th>
            {quotaCells({}).map((c) => (
              <th scope="col" key={c.label}>
                {c.label}
              </th>
            ))}
            <th scope="col">Set by</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Fragment key={r.name}>
              <tr data-name={r.name}>
                <th scope="row">{r.name}</th>
                {quotaCells(r.quota).map((c) => (
                  <td key={c.label} data-label={c.label}>
                    {c.text}
                  </td>
                ))}
                <td data-label="Set by">{r.source}</td>
                <td data-label="Actions">
                  <button
                    aria-expanded={editing === r.name}
                    onClick={() => {
                      setEditing(editing === r.name ? null : r.name);
                    }}
                  >
                    Edit <span className="visually-hidden">quota of {r.name}</span>
                  </button>
                </td>
              </tr>
              {editing === r.name && (
                <tr>
                  <td colSpan={7}>
                    <QuotaForm
                      who={r.name}
                      emptyUnsets={unsets}
                      quota={r.quota}
                      onSave={(q) => {
                        save(r.name, q);
                      }}
                      onCancel={() => {
                        setEditing(null);
                      }}
                      {...(r.overridden
                        ? {
                            onReset: () => {
                              reset(r.name);
                            },
                          }
                        : {})}
                    />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function groupRow(g: GroupQuotaJson): Row {
  const source =
    g.source === 'admin'
      ? 'admin (overrides the config)'
      : g.source === 'config'
        ? 'config'
        : 'not set';
  return { name: g.group, quota: g.quota, source, overridden: g.source === 'admin' };
}

/** The users' rows, plus `wanted` (a user being given a quota by name) when not among them. */
function userRowsOf(users: readonly AdminUser[], wanted: string): Row[] {
  const rows: Row[] = users.map((u) => ({
    name: u.name,
    quota: u.quota,
    source: 'user, group or default',
    overridden: true,
  }));
  if (wanted !== '' && !rows.some((r) => r.name === wanted))
    rows.push({ name: wanted, quota: {}, source: 'new', overridden: false });
  return rows;
}

/** Opens the quota form of a user not in the table (by name). */
function OtherUser({ edit }: { edit: (name: string) => void }) {
  const [other, setOther] = useState('');
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (other.trim() !== '') edit(other.trim());
        setOther('');
      }}
    >
      <TextField label="Set the quota of user" name="quota-user" value={other} set={setOther} />
      <button type="submit">Edit quota</button>
    </form>
  );
}

/** The quotas section. */
export function AdminQuotas({ api, calls }: AdminSectionProps) {
  const loc = useLocation(api.base);
  const users = useLive(
    api,
    () => api.admin.users(),
    () => false,
    10_000
  );
  const groups = useLive(
    api,
    () => calls.groupQuotas(),
    () => false,
    10_000
  );
  const [editing, setEditing] = useState<string | null>(() =>
    loc.query.get('user') === null ? null : `user:${loc.query.get('user') ?? ''}`
  );
  const { act: done, notice } = useAction(() => {
    setEditing(null);
    users.refresh();
    groups.refresh();
  });
  const wanted = editing?.startsWith('user:') === true ? editing.slice(5) : '';
  const userRows = userRowsOf(users.value ?? [], wanted);
  const groupRows = (groups.value ?? []).map(groupRow);
  const table = (kind: 'user' | 'group', rows: readonly Row[]) => (
    <QuotaTable
      label={kind === 'user' ? 'User quotas' : 'Group quotas'}
      first={kind === 'user' ? 'User' : 'Group'}
      rows={rows}
      editing={editing?.startsWith(`${kind}:`) === true ? editing.slice(kind.length + 1) : null}
      setEditing={(n) => {
        setEditing(n === null ? null : `${kind}:${n}`);
      }}
      save={(n, q) => {
        const p = kind === 'user' ? calls.setUserQuota(n, q) : calls.setGroupQuota(n, q);
        done(p, `Saved the quota of ${kind} ${n}.`);
      }}
      reset={(n) => {
        const p = kind === 'user' ? calls.clearUserQuota(n) : calls.clearGroupQuota(n);
        done(p, `The ${kind} ${n} is back to the configured quota.`);
      }}
    />
  );
  const err = users.error !== '' ? users.error : groups.error;
  return (
    <>
      <h2>Quotas</h2>
      <p className="muted">
        A user gets, for each limit, their own value, else the most generous of their groups&apos;,
        else the default. An empty field means no limit.
      </p>
      {notice}
      <Problem text={err} />
      <h3>Users</h3>
      <OtherUser
        edit={(n) => {
          setEditing(`user:${n}`);
        }}
      />
      {users.value === null ? <p>Loading…</p> : table('user', userRows)}
      <h3>Groups</h3>
      {groups.value === null ? (
        <p>Loading…</p>
      ) : groupRows.length === 0 ? (
        <p>No groups: groups appear once the config names them or a grant brings one.</p>
      ) : (
        table('group', groupRows)
      )}
    </>
  );
}
