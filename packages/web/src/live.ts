/**
 * Live data for the pages: a value fetched again whenever the events stream reports something
 * (`GET /api/v1/events`), and every few seconds while the stream is unavailable.
 * @module
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClusterEvent } from '@gatehouse/api';
import type { GatewayApi } from './gateway-api.js';

/** State of a live value. */
export interface Live<T> {
  readonly value: T | null;
  readonly error: string;
  /** The last load's failure (null after a success). */
  readonly failure: unknown;
  /** Fetches again now. */
  readonly refresh: () => void;
}

/** `load()`'s value, refreshed on every event (filtered by `relevant`) and by polling. */
export function useLive<T>(
  api: GatewayApi,
  load: () => Promise<T>,
  relevant: (e: ClusterEvent) => boolean = () => true,
  pollMs = 3000
): Live<T> {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const relevantRef = useRef(relevant);
  relevantRef.current = relevant;
  const refresh = useCallback(() => {
    loadRef.current().then(
      (v) => {
        setValue(v);
        setError('');
        setFailure(null);
      },
      (e: unknown) => {
        setFailure(e);
        setError(e instanceof Error ? e.message : String(e));
      }
    );
  }, []);
  useEffect(() => {
    refresh();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = () => {
      if (timer === undefined)
        timer = setTimeout(() => {
          timer = undefined;
          refresh();
        }, 150);
    };
    const unsubscribe = api.subscribe(
      (e) => {
        if (relevantRef.current(e)) soon();
      },
      () => undefined
    );
    const poll = setInterval(refresh, pollMs);
    return () => {
      unsubscribe();
      clearInterval(poll);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [api, refresh, pollMs]);
  return { value, error, failure, refresh };
}

/** The current time (ms), updated every `ms`: for relative times. */
export function useNow(ms = 5000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => {
      setNow(Date.now());
    }, ms);
    return () => {
      clearInterval(t);
    };
  }, [ms]);
  return now;
}
