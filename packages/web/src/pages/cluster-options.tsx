/**
 * The options a cluster was started with, as the gateway reports them (environment variables
 * whose name looks secret arrive masked as "••••"); a mapping shows one NAME = value per line.
 * @module
 */

function Value({ value }: { value: unknown }) {
  if (value !== null && typeof value === 'object') {
    const rows = Object.entries(value as Record<string, unknown>);
    if (rows.length === 0) return <>none</>;
    return (
      <ul className="plain">
        {rows.map(([k, v]) => (
          <li key={k}>
            <code>{k}</code> = <code>{String(v)}</code>
          </li>
        ))}
      </ul>
    );
  }
  return <>{String(value)}</>;
}

/** The options list of a cluster; `labels` names each field as the new-cluster form does. */
export function ClusterOptions(props: {
  options: Readonly<Record<string, unknown>>;
  labels: ReadonlyMap<string, string>;
}) {
  const { options, labels } = props;
  const entries = Object.entries(options);
  return (
    <section data-testid="options" aria-labelledby="options-heading">
      <h2 id="options-heading">Options</h2>
      {entries.length === 0 ? (
        <p>Started with the gateway&apos;s defaults.</p>
      ) : (
        <dl className="facts">
          {entries.map(([k, v]) => (
            <div key={k} className="contents">
              <dt>{labels.get(k) ?? k}</dt>
              <dd>
                <Value value={v} />
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
