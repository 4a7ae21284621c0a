/**
 * A cluster's events in plain words (`event-groups.ts`), oldest first, each with its time
 * relative to now (the exact time on hover); the last 40 lines unless all are asked for.
 * @module
 */
import { useState } from 'react';
import type { ClusterEvent } from '@gatehouse/api';
import { groupEvents } from '../event-groups.js';
import { formatRelative, when } from '../format.js';

/** The events list. */
export function ClusterEvents(props: {
  events: readonly ClusterEvent[] | null;
  error: string;
  now: number;
}) {
  const { events, error, now } = props;
  const [all, setAll] = useState(false);
  const groups = groupEvents(events ?? []);
  const shown = all ? groups : groups.slice(-40);
  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">Events</h2>
      {error !== '' && (
        <p className="error" role="alert">
          Events are not available: {error}
        </p>
      )}
      {events === null && error === '' && <p role="status">Loading events…</p>}
      {shown.length < groups.length && (
        <button
          type="button"
          onClick={() => {
            setAll(true);
          }}
        >
          Show all {groups.length} events
        </button>
      )}
      <ol className="events" data-testid="events">
        {shown.map((g) => (
          <li key={g.id} data-type={g.type}>
            <time dateTime={new Date(g.time).toISOString()} title={when(g.time)}>
              {formatRelative(g.time, Math.max(now, g.time))}
            </time>{' '}
            {g.text}
          </li>
        ))}
      </ol>
    </section>
  );
}
