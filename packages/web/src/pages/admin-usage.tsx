/**
 * The admin usage section: core-hours per user per day over a chosen period, as a chart or as a
 * table of the same numbers, with each user's total.
 * @module
 */
import { useEffect, useState } from 'react';
import { formatCoreHours, type UsageDay } from '@gatehouse/api';
import type { AdminSectionProps } from './admin-calls.js';
import { Problem } from './admin-kit.js';
import { UsageChart, UsageTable, periodDays, usageGrid } from './usage-chart.js';

const PERIODS = [7, 14, 30, 90] as const;

/** The period and the chart/table switch. */
function Controls(props: {
  days: number;
  setDays: (d: number) => void;
  view: 'chart' | 'table';
  setView: (v: 'chart' | 'table') => void;
}) {
  const { days, setDays, view, setView } = props;
  return (
    <div className="toolbar">
      <label>
        Period
        <select
          name="usage-days"
          value={days}
          onChange={(e) => {
            setDays(Number(e.target.value));
          }}
        >
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              Last {p} days
            </option>
          ))}
        </select>
      </label>
      <div role="group" aria-label="Show usage as">
        <button
          type="button"
          aria-pressed={view === 'chart'}
          onClick={() => {
            setView('chart');
          }}
        >
          Chart
        </button>{' '}
        <button
          type="button"
          aria-pressed={view === 'table'}
          onClick={() => {
            setView('table');
          }}
        >
          Table
        </button>
      </div>
    </div>
  );
}

/** The usage section. */
export function AdminUsage({ api }: AdminSectionProps) {
  const [days, setDays] = useState<number>(14);
  const [view, setView] = useState<'chart' | 'table'>('chart');
  const [rows, setRows] = useState<UsageDay[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    setRows(null);
    api.admin.usage(days).then(
      (r) => {
        if (live) {
          setRows(r);
          setError('');
        }
      },
      (e: unknown) => {
        if (live) setError(e instanceof Error ? e.message : String(e));
      }
    );
    return () => {
      live = false;
    };
  }, [api, days]);
  const grid = usageGrid(rows ?? [], periodDays(days, Date.now()));
  const totals = grid.users
    .map((u) => ({ u, v: grid.days.reduce((s, d) => s + grid.value(d, u), 0) }))
    .sort((a, b) => b.v - a.v);
  return (
    <>
      <h2>Usage</h2>
      <Controls days={days} setDays={setDays} view={view} setView={setView} />
      <Problem text={error} />
      {rows === null ? (
        <p>Loading…</p>
      ) : (
        <>
          {view === 'chart' ? <UsageChart grid={grid} /> : <UsageTable grid={grid} />}
          <h3>Totals for the period</h3>
          {totals.length === 0 ? (
            <p>No usage recorded in the last {days} days.</p>
          ) : (
            <ul data-testid="usage-totals">
              {totals.map(({ u, v }) => (
                <li key={u}>
                  {u}: {formatCoreHours(v)}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}
