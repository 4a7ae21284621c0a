/**
 * The gateway's public address, known once the public port listens (or the external proxy
 * answers). It exists before the cluster manager, which reads the API URL only when it starts
 * a cluster, after the gateway listens.
 * @module
 */
import type { GatewayConfig } from '../config/load.js';

/** The public URL, set once when the gateway listens. */
export class PublicAddress {
  readonly #config: Pick<GatewayConfig, 'apiUrl' | 'prefix'>;
  #url: string | null = null;

  constructor(config: Pick<GatewayConfig, 'apiUrl' | 'prefix'>) {
    this.#config = config;
  }

  /** Records the public URL; a second call is a wiring bug. */
  set(url: string): void {
    if (this.#url !== null) throw new Error('the public address is set already');
    this.#url = url;
  }

  /** The public URL, e.g. `http://127.0.0.1:8000`. */
  url(): string {
    if (this.#url === null) throw new Error('the gateway does not listen yet');
    return this.#url;
  }

  /** The API URL schedulers and workers reach the gateway at (`api_url`, or the public one). */
  apiUrl(): string {
    return this.#config.apiUrl ?? `${this.url()}${this.#config.prefix}/api`;
  }
}
