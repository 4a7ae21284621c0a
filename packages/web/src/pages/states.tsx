/**
 * The pages of states other than a page's content: not found, forbidden, the gateway
 * unreachable (a page at start, a banner later), each saying what happened and offering a way
 * forward.
 * @module
 */
import { useEffect, type ReactNode } from 'react';
import { Link } from '../page-kit.js';

/** A state page: its heading and its explanation with the ways forward. */
export function StatePage(props: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="state" data-testid={props.testId ?? 'state'}>
      <h1>{props.title}</h1>
      {props.children}
    </section>
  );
}

/** A page still loading its content (`error` '' ) or failing to (with the error). */
export function LoadingPage({ title, error }: { title: string; error: string }) {
  return (
    <section>
      <h1>{title}</h1>
      {error === '' ? (
        <p role="status">Loading…</p>
      ) : (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** Where users look for help: the configured contact, if any. */
export function Contact({ contact }: { contact: string | null }) {
  if (contact === null || contact === '') return null;
  const mail = /^[^\s@]+@[^\s@]+$/.test(contact);
  const web = /^https?:\/\//.test(contact);
  return (
    <p className="contact">
      Need help? Contact{' '}
      {mail ? (
        <a href={`mailto:${contact}`}>{contact}</a>
      ) : web ? (
        <a href={contact}>{contact}</a>
      ) : (
        contact
      )}
      .
    </p>
  );
}

/** An unknown page, or a cluster that is not (or no longer) the user's. */
export function NotFoundPage(props: { go: (p: string) => void; cluster?: string }) {
  const { go, cluster } = props;
  return (
    <StatePage
      title={cluster === undefined ? 'Page not found' : `Cluster ${cluster} not found`}
      testId="not-found"
    >
      <p>
        {cluster === undefined
          ? 'There is no page at this address.'
          : 'None of your clusters has this name. It may have stopped before the history period, or belong to another user.'}
      </p>
      <p className="actions">
        <Link go={go} to="/">
          Go to My clusters
        </Link>{' '}
        <Link go={go} to="/new">
          Start a new cluster
        </Link>
      </p>
    </StatePage>
  );
}

/** A page the user may not see (the admin pages for a user who is not an admin). */
export function ForbiddenPage(props: {
  go: (p: string) => void;
  user: string;
  contact: string | null;
}) {
  return (
    <StatePage title="Admins only" testId="forbidden">
      <p>
        The admin pages are for Gatehouse administrators, and <b>{props.user}</b> is not one.
      </p>
      <Contact contact={props.contact} />
      <p>
        <Link go={props.go} to="/">
          Go to My clusters
        </Link>
      </p>
    </StatePage>
  );
}

/** The gateway did not answer: retries on its own every 5 s, and on the button. */
export function UnreachablePage({ retry }: { retry: () => void }) {
  useEffect(() => {
    const t = setInterval(retry, 5000);
    return () => {
      clearInterval(t);
    };
  }, [retry]);
  return (
    <main>
      <StatePage title="Cannot reach the gateway" testId="unreachable">
        <p role="alert">
          Gatehouse did not answer. It may be restarting, or your network may be down. This page
          tries again every 5 seconds.
        </p>
        <button type="button" onClick={retry}>
          Try again now
        </button>
      </StatePage>
    </main>
  );
}

/** The banner shown over a page while the gateway does not answer its calls. */
export function UnreachableBanner() {
  return (
    <p className="banner" role="alert" data-testid="unreachable-banner">
      Cannot reach the gateway: what you see may be out of date. Retrying…
    </p>
  );
}
