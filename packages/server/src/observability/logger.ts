/**
 * Creates the gateway's pino logger: JSON lines by default, pretty lines in a terminal, with
 * credentials (authorization headers, cookies, tokens, passwords, TLS keys) redacted.
 * @module
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

/** Paths redacted from every log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'token',
  'password',
  'api_token',
  'tls_key',
  'cookie',
  'authorization',
  '*.token',
  '*.password',
  '*.api_token',
  '*.tls_key',
  '*.cookie',
  '*.authorization',
  // A database URL may hold its password: the store's is only ever logged redacted, but an
  // object carrying the configured one must not print it either.
  'connectionString',
  '*.connectionString',
  'store.url',
  '*.store.url',
];

/** How log lines are written. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Where and how the logger writes. */
export interface LoggerOptions {
  /** 'auto' (the default) is pretty when `isTty`, else JSON. */
  readonly format?: LogFormat;
  /** Whether the destination is a terminal (the composition root passes stdout's). */
  readonly isTty?: boolean;
  /** Where lines go (stdout by default). */
  readonly destination?: DestinationStream;
}

/** Creates a logger at `level`. */
export function createLogger(level: string, opts: LoggerOptions = {}): Logger {
  const format = opts.format ?? 'auto';
  const usePretty = format === 'pretty' || (format === 'auto' && opts.isTty === true);
  const destination = usePretty
    ? pretty({
        colorize: opts.isTty === true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
        sync: true,
        ...(opts.destination === undefined ? {} : { destination: opts.destination }),
      })
    : opts.destination;
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination
  );
}
