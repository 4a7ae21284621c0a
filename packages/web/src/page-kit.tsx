/**
 * What the app shell gives its pages: their props and the in-app link. A leaf module, so that
 * the shell and the pages it renders do not import each other.
 * @module
 */
import type { ReactNode } from 'react';
import { gatewayBase, type GatewayApi } from './gateway-api.js';

/** What every page gets. */
export interface PageProps {
  readonly api: GatewayApi;
  readonly go: (path: string) => void;
}

/** A link inside the UI. */
export function Link(props: {
  go: (p: string) => void;
  to: string;
  children: ReactNode;
  className?: string;
  /** Marks the link as the current page (`aria-current="page"`). */
  current?: boolean;
}) {
  const { go, to, children, className, current = false } = props;
  return (
    <a
      {...(className === undefined ? {} : { className })}
      {...(current ? { 'aria-current': 'page' as const } : {})}
      href={`${gatewayBase(window.location.pathname)}/ui${to}`}
      onClick={(e) => {
        e.preventDefault();
        go(to);
      }}
    >
      {children}
    </a>
  );
}
