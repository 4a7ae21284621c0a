/**
 * The logger of a composition root, built from `log.level` and `log.format` the same way for
 * `gatehouse serve` and `gatehouse proxy`.
 * @module
 */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/load.js';
import { createLogger } from '../observability/logger.js';

/** Where and how the logs of a process go (tests pass a destination). */
export interface LogOutput {
  /** Whether the destination is a terminal (pretty logs with `log.format: auto`). */
  readonly isTty?: boolean;
  /** Where logs go (default standard output). */
  readonly logDestination?: NodeJS.WritableStream;
}

/** The logger `config.log` asks for. */
export function configuredLogger(config: GatewayConfig, out: LogOutput = {}): Logger {
  return createLogger(config.log.level, {
    format: config.log.format,
    ...(out.isTty === undefined ? {} : { isTty: out.isTty }),
    ...(out.logDestination === undefined ? {} : { destination: out.logDestination }),
  });
}
