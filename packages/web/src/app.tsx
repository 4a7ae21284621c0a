/**
 * The app shell: loads the browser session, shows the login page (with `next`, also when the
 * session expires during use), the access page for users without access, or the header and the
 * page the address names; unknown addresses, foreign pages and an unreachable gateway get pages
 * of their own.
 * @module
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { safeNext } from '@gatehouse/api/safe-next';
import type { Connection, GatewayApi, SessionInfo, SessionUser } from './gateway-api.js';
import { Link, type PageProps } from './page-kit.js';
import { navigate, routeOf, useLocation, type Route } from './router.js';
import { LoginPage } from './pages/login.js';
import { AccessPage } from './pages/access.js';
import { ClustersPage } from './pages/clusters.js';
import { ClusterPage } from './pages/cluster.js';
import { NewClusterPage } from './pages/new-cluster.js';
import { PoolPage } from './pages/pool.js';
import { AdminPage } from './pages/admin.js';
import { ForbiddenPage, NotFoundPage, UnreachableBanner, UnreachablePage } from './pages/states.js';

/** The page `route` names, for a signed-in user (the access page until granted). */
function pageFor(
  route: Route,
  user: SessionUser,
  props: PageProps,
  onGranted: () => void
): ReactNode {
  const { api, go } = props;
  if (!user.granted)
    return <AccessPage api={api} user={user} contact={user.contact} onGranted={onGranted} />;
  switch (route.page) {
    case 'clusters':
    case 'login':
      return <ClustersPage api={api} go={go} />;
    case 'new':
      return <NewClusterPage api={api} go={go} />;
    case 'pool':
      return <PoolPage api={api} go={go} />;
    case 'admin':
      return user.admin ? (
        <AdminPage api={api} go={go} />
      ) : (
        <ForbiddenPage go={go} user={user.name} contact={user.contact} />
      );
    case 'cluster':
      return <ClusterPage api={api} go={go} name={route.name} me={user.name} />;
    case 'unknown':
      return <NotFoundPage go={go} />;
  }
}

/** One link of the header's navigation, marked as current on its page. */
function NavLink(props: {
  go: (p: string) => void;
  to: string;
  current: boolean;
  children: string;
}) {
  return (
    <Link go={props.go} to={props.to} {...(props.current ? { current: true } : {})}>
      {props.children}
    </Link>
  );
}

/** The header: the navigation (once granted), the user's name and the logout button. */
function Header(props: {
  api: GatewayApi;
  go: (p: string) => void;
  user: SessionUser;
  route: Route;
  onLogout: () => void;
}) {
  const { api, go, user, route, onLogout } = props;
  return (
    <header>
      <strong>Gatehouse</strong>
      {user.granted && (
        <nav aria-label="Main">
          <NavLink go={go} to="/" current={route.page === 'clusters'}>
            My clusters
          </NavLink>
          <NavLink go={go} to="/new" current={route.page === 'new'}>
            New cluster
          </NavLink>
          <NavLink go={go} to="/pool" current={route.page === 'pool'}>
            Pool
          </NavLink>
          {user.admin && (
            <NavLink go={go} to="/admin" current={route.page === 'admin'}>
              Admin
            </NavLink>
          )}
        </nav>
      )}
      <span className="who">
        <span data-testid="user-name">
          {user.name}
          {user.admin ? ' (admin)' : ''}
        </span>
        <button
          type="button"
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
  const [connection, setConnection] = useState<Connection>('ok');
  const go = useCallback(
    (p: string) => {
      navigate(api.base, p);
    },
    [api]
  );
  const reload = useCallback(() => {
    api.session().then(setSession, () => {
      setConnection('unreachable');
    });
  }, [api]);
  useEffect(reload, [reload]);
  useEffect(
    () =>
      api.onConnection((c) => {
        setConnection(c);
        if (c === 'ok') return;
        if (
          c === 'expired' &&
          routeOf(window.location.pathname.slice(api.base.length + 3)).page !== 'login'
        ) {
          const here = `${window.location.pathname}${window.location.search}`;
          setSession(null);
          navigate(api.base, `/login?expired=1&next=${encodeURIComponent(here)}`);
        }
        reload();
      }),
    [api, reload]
  );

  if (session === null)
    return connection === 'unreachable' ? (
      <UnreachablePage retry={reload} />
    ) : (
      <main>
        <h1>Gatehouse</h1>
        <p role="status">Loading…</p>
      </main>
    );
  const next = loc.query.get('next');
  const route = routeOf(loc.path);
  if (session.user === null) {
    return (
      <LoginPage
        api={api}
        login={session.login}
        next={next}
        expired={loc.query.get('expired') === '1'}
        hubError={loc.query.get('error')}
        onLogin={() => {
          const target = safeNext(next, api.base);
          if (target !== null) {
            window.location.assign(target);
            return;
          }
          if (route.page === 'login') go('/');
          reload();
        }}
      />
    );
  }
  const user = session.user;
  if (route.page === 'login') {
    const target = safeNext(next, api.base);
    if (target !== null) window.location.assign(target);
    else go('/');
  }
  return (
    <>
      <Header api={api} go={go} user={user} route={route} onLogout={reload} />
      {connection === 'unreachable' && <UnreachableBanner />}
      <main>{pageFor(route, user, { api, go }, reload)}</main>
    </>
  );
}
