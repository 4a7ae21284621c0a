/**
 * The app shell: loads the browser session, shows the login page, the access page for users
 * without access, or the navigation and the page the address names.
 * @module
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { safeNext } from '@gatehouse/api/safe-next';
import type { GatewayApi, SessionInfo, SessionUser } from './gateway-api.js';
import { Link, type PageProps } from './page-kit.js';
import { navigate, useLocation } from './router.js';
import { LoginPage } from './pages/login.js';
import { AccessPage } from './pages/access.js';
import { ClustersPage } from './pages/clusters.js';
import { ClusterPage } from './pages/cluster.js';
import { NewClusterPage } from './pages/new-cluster.js';
import { PoolPage } from './pages/pool.js';
import { AdminPage } from './pages/admin.js';

/** The page the address names, for a signed-in user (the access page until granted). */
function pageFor(
  path: string,
  user: SessionUser,
  { api, go }: PageProps,
  onGranted: () => void
): ReactNode {
  if (!user.granted) return <AccessPage api={api} user={user.name} onGranted={onGranted} />;
  if (path === '/new') return <NewClusterPage api={api} go={go} />;
  if (path === '/pool') return <PoolPage api={api} go={go} />;
  if ((path === '/admin' || path.startsWith('/admin/')) && user.admin)
    return <AdminPage api={api} go={go} />;
  if (path.startsWith('/clusters/'))
    return (
      <ClusterPage api={api} go={go} name={decodeURIComponent(path.slice('/clusters/'.length))} />
    );
  return <ClustersPage api={api} go={go} />;
}

/** The header: the navigation (once granted), the user's name and the logout button. */
function Header(props: {
  api: GatewayApi;
  go: (p: string) => void;
  user: SessionUser;
  onLogout: () => void;
}) {
  const { api, go, user, onLogout } = props;
  return (
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
            api.logout().then(onLogout, onLogout);
          }}
        >
          Log out
        </button>
      </span>
    </header>
  );
}

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
  const page = pageFor(loc.path, user, { api, go }, reload);
  return (
    <>
      <Header api={api} go={go} user={user} onLogout={reload} />
      <main>{page}</main>
    </>
  );
}
