/**
 * The app shell: loads the browser session, shows the login page, the access page for users
 * without access, or the navigation and the page the address names.
 * @module
 */
import { useCallback, useEffect, useState } from 'react';
import { safeNext } from '@gatehouse/api/safe-next';
import type { GatewayApi, SessionInfo } from './gateway-api.js';
import { Link } from './page-kit.js';
import { navigate, useLocation } from './router.js';
import { LoginPage } from './pages/login.js';
import { AccessPage } from './pages/access.js';
import { ClustersPage } from './pages/clusters.js';
import { ClusterPage } from './pages/cluster.js';
import { NewClusterPage } from './pages/new-cluster.js';
import { PoolPage } from './pages/pool.js';
import { AdminPage } from './pages/admin.js';

/** The web UI. */
export function App({ api }: { api: GatewayApi }) {
  const loc = useLocation(api.base);
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [error, setError] = useState('');
  const go = useCallback(
    (p: string) => {
      navigate(api.base, p);
    },
    [api]
  );
  const reload = useCallback(() => {
    api.session().then(setSession, (e: unknown) => {
      setError(String(e));
    });
  }, [api]);
  useEffect(reload, [reload]);

  if (error !== '') return <p className="error">{error}</p>;
  if (session === null) return <p>Loading…</p>;
  const next = loc.query.get('next');
  if (session.user === null) {
    return (
      <LoginPage
        api={api}
        login={session.login}
        next={next}
        hubError={loc.query.get('error')}
        onLogin={() => {
          const target = safeNext(next, api.base);
          if (target !== null) {
            window.location.assign(target);
            return;
          }
          if (loc.path === '/login') go('/');
          reload();
        }}
      />
    );
  }
  const user = session.user;
  if (loc.path === '/login') {
    const target = safeNext(next, api.base);
    if (target !== null) window.location.assign(target);
    else go('/');
  }
  let page: ReactNode;
  if (!user.granted) page = <AccessPage api={api} user={user.name} onGranted={reload} />;
  else if (loc.path === '/new') page = <NewClusterPage api={api} go={go} />;
  else if (loc.path === '/pool') page = <PoolPage api={api} go={go} />;
  else if (loc.path === '/admin' && user.admin) page = <AdminPage api={api} go={go} />;
  else if (loc.path.startsWith('/clusters/'))
    page = (
      <ClusterPage
        api={api}
        go={go}
        name={decodeURIComponent(loc.path.slice('/clusters/'.length))}
      />
    );
  else page = <ClustersPage api={api} go={go} />;

  return (
    <>
      <header>
        <strong>Gatehouse</strong>
        {user.granted && (
          <nav>
            <Link go={go} to="/">
              My clusters
            </Link>
            <Link go={go} to="/new">
              New cluster
            </Link>
            <Link go={go} to="/pool">
              Pool
            </Link>
            {user.admin && (
              <Link go={go} to="/admin">
                Admin
              </Link>
            )}
          </nav>
        )}
        <span className="who">
          {user.name}
          {user.admin ? ' (admin)' : ''}{' '}
          <button
            onClick={() => {
              api.logout().then(reload, reload);
            }}
          >
            Log out
          </button>
        </span>
      </header>
      <main>{page}</main>
    </>
  );
}
