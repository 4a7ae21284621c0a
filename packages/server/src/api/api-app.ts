/**
 * The Fastify instance type of the API, in a leaf module of its own so that the route modules
 * and the app that registers them do not import each other.
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** The Fastify instance type of the API (pino logger, node http server). */
export type ApiApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;
