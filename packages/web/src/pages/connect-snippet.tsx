/**
 * How to reach a cluster: the Python lines that connect a notebook to it, with a copy button,
 * and the link to its dashboard.
 * @module
 */
import { useState } from 'react';

/** The Python lines that connect to `name` from a notebook. */
export function pythonSnippet(address: string, name: string): string {
  return [
    'from dask_gateway import Gateway',
    `gateway = Gateway("${address}")`,
    `cluster = gateway.connect("${name}")`,
    'client = cluster.get_client()',
  ].join('\n');
}

/** The snippet for cluster `name` of the gateway at `address`, and its copy button. */
export function ConnectSnippet({ address, name }: { address: string; name: string }) {
  const [copied, setCopied] = useState(false);
  const snippet = pythonSnippet(address, name);
  return (
    <div className="snippet">
      <pre data-testid="snippet" tabIndex={0} aria-label="Python code to connect">
        {snippet}
      </pre>
      <button
        type="button"
        onClick={() => {
          void navigator.clipboard.writeText(snippet).then(() => {
            setCopied(true);
          });
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

/** The link that opens a cluster's dashboard in a new tab (nothing without a route). */
export function DashboardLink({ base, route }: { base: string; route: string | null }) {
  if (route === null) return null;
  return (
    <p>
      <a className="dashboard" href={`${base}${route}`} target="_blank" rel="noreferrer">
        Open dashboard
      </a>
    </p>
  );
}
