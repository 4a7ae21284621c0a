/**
 * The authenticator interface. Each authenticator reads credentials from request headers and
 * names the challenge to send when they are missing or wrong (spec §2).
 * @module
 */

/** An authenticated user. */
export interface User {
  readonly name: string;
  readonly groups: readonly string[];
  readonly admin: boolean;
}

/** Request headers as Node gives them. */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Checks credentials; one implementation per `auth.type`. */
export interface Authenticator {
  /** Value of `WWW-Authenticate` on a 401, e.g. `Basic`. */
  readonly challenge: string;
  /**
   * The user the headers authenticate, or null when credentials are missing or wrong (the
   * caller answers 401 with the challenge). Throws GatewayError for failures that are not the
   * caller's fault (e.g. an identity provider that is down).
   */
  authenticate(headers: Headers): Promise<User | null>;
}

/** The single value of a header, or undefined. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
