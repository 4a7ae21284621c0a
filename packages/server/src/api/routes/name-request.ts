/**
 * The request type of the routes that name a cluster in their path, shared by the cluster and
 * heartbeat routes without either importing the other.
 * @module
 */
import type { FastifyRequest } from 'fastify';

/** A request naming a cluster in its path. */
export type NameRequest = FastifyRequest<{
  Params: { cluster_name: string };
  Querystring: Record<string, unknown>;
}>;
