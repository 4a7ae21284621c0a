/**
 * Admin: a section navigation (clusters, users, requests, quotas, tokens, usage) over one page
 * per job, each at its own address (`/ui/admin/<section>`), as JupyterHub's and Grafana's admin
 * pages do. The sections are modules of their own (`admin-*.tsx`).
 * @module
 */
import { useMemo, type ReactNode } from 'react';
import { Link, type PageProps } from '../page-kit.js';
import { gatewayBase } from '../gateway-api.js';
import { useLocation } from '../router.js';
import { useLive } from '../live.js';
import { adminCalls, type AdminSectionProps } from './admin-calls.js';
import { AdminClusters } from './admin-clusters.js';
import { AdminRequests } from './admin-requests.js';
import { AdminQuotas } from './admin-quotas.js';
import { ApiTokens } from './admin-tokens.js';
import { AdminUsage } from './admin-usage.js';
import { UsersTable } from './admin-users.js';
import '../admin.css';

const SECTIONS = [
  ['clusters', 'Clusters'],
  ['users', 'Users'],
  ['requests', 'Requests'],
  ['quotas', 'Quotas'],
  ['tokens', 'Tokens'],
  ['usage', 'Usage'],
] as const;

type Section = (typeof SECTIONS)[number][0];

function sectionOf(path: string): Section | null {
  const rest = path.replace(/^\/admin\/?/, '').split('/')[0] ?? '';
  if (rest === '') return 'clusters';
  return SECTIONS.find(([s]) => s === rest)?.[0] ?? null;
}

function body(section: Section, props: AdminSectionProps): ReactNode {
  switch (section) {
    case 'clusters':
      return <AdminClusters {...props} />;
    case 'users':
      return <UsersTable {...props} />;
    case 'requests':
      return <AdminRequests {...props} />;
    case 'quotas':
      return <AdminQuotas {...props} />;
    case 'tokens':
      return <ApiTokens {...props} />;
    case 'usage':
      return <AdminUsage {...props} />;
  }
}

/** A section's link, marked as the current page when it is. */
function SectionLink(props: {
  go: (p: string) => void;
  to: string;
  current: boolean;
  children: ReactNode;
}) {
  const { go, to, current, children } = props;
  return (
    <a
      href={`${gatewayBase(window.location.pathname)}/ui${to}`}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        go(to);
      }}
    >
      {children}
    </a>
  );
}

/** Admin page: the section the address names. */
export function AdminPage({ api, go }: PageProps) {
  const loc = useLocation(api.base);
  const calls = useMemo(() => adminCalls(api), [api]);
  const pending = useLive(
    api,
    () => api.admin.requests(),
    () => false,
    10_000
  );
  const section = sectionOf(loc.path);
  const count = pending.value?.length ?? 0;
  return (
    <section className="admin">
      <h1>Admin</h1>
      <nav aria-label="Admin sections">
        <ul className="admin-nav">
          {SECTIONS.map(([s, label]) => (
            <li key={s}>
              <SectionLink go={go} to={`/admin/${s}`} current={s === section}>
                {label}
                {s === 'requests' && count > 0 && (
                  <span className="count" aria-label={`${String(count)} pending`}>
                    {count}
                  </span>
                )}
              </SectionLink>
            </li>
          ))}
        </ul>
      </nav>
      {section === null ? (
        <div role="alert">
          <h2>No such admin page</h2>
          <p>
            There is no admin page at this address.{' '}
            <Link go={go} to="/admin/clusters">
              Go to the cluster list
            </Link>
            .
          </p>
        </div>
      ) : (
        body(section, { api, go, calls, refreshCounts: pending.refresh })
      )}
    </section>
  );
}
