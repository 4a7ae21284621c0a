/**
 * The scheduler's heartbeat route (spec §1.12, §5.4), with its cost bounded (issue 14): the
 * cluster token is checked before the body is read; a body larger than the workers this gateway
 * created for the cluster can need is refused with 413, at once when its Content-Length says so
 * and as soon as a chunked body passes the cap; and the body is parsed by the heartbeat parser
 * (off the event loop when large), which keeps only names of the cluster's own workers.
 * @module
 */
import { Transform } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import Value from 'typebox/value';
import { Heartbeat } from '@gatehouse/api';
import { heartbeatByteCap, knownWorkers } from '../../clusters/heartbeat-body.js';
import type { ClusterRecord } from '../../clusters/model.js';
import { GatewayError, invalid } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import type { NameRequest } from './name-request.js';

const NameParams = Type.Object({ cluster_name: Type.String() });

/** The cluster-route helpers the heartbeat shares with the other cluster routes. */
export interface HeartbeatHelpers {
  /** The `{cluster_name}` segment (refuses an empty one). */
  readonly nameOf: (req: NameRequest) => string;
  /** The cluster whose token the request carries, if it is the named one. */
  readonly clusterByToken: (ctx: ApiContext, req: NameRequest) => ClusterRecord | null;
}

/** The 413 for a heartbeat over the cap of `c` (`size` when announced). */
function tooLarge(c: ClusterRecord, cap: number, size: number | null): GatewayError {
  const what = size === null ? 'Heartbeat body' : `Heartbeat body of ${String(size)} bytes`;
  return new GatewayError(
    'payload_too_large',
    `${what} is larger than the ${String(cap)} bytes that the ${String(c.workers.size)} ` +
      'workers this gateway created for the cluster can need (names of other workers are ignored)'
  );
}

/** Registers POST /api/v1/clusters/:cluster_name/heartbeat in a scope of its own JSON parser. */
export function registerHeartbeatRoute(
  app: ApiApp,
  ctx: ApiContext,
  helpers: HeartbeatHelpers
): void {
  const ceiling = ctx.bodyLimits.heartbeat;
  const tokenCluster = (req: NameRequest): ClusterRecord => {
    helpers.nameOf(req);
    const c = helpers.clusterByToken(ctx, req);
    if (c === null) {
      throw new GatewayError('unauthenticated', 'Unauthorized', {
        headers: { 'WWW-Authenticate': 'token' },
      });
    }
    return c;
  };

  void app.register((scope: ApiApp, _opts, next) => {
    scope.removeContentTypeParser('application/json');
    const parse = async (req: FastifyRequest, body: Buffer): Promise<unknown> => {
      const c = tokenCluster(req as NameRequest);
      const out = await ctx.heartbeatParser.parse(body, knownWorkers(c));
      if ('error' in out) throw invalid(`Malformed heartbeat: ${out.error}`);
      return out.value;
    };
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, parse);
    scope.post(
      '/api/v1/clusters/:cluster_name/heartbeat',
      {
        bodyLimit: ceiling,
        schema: {
          params: NameParams,
          body: Heartbeat,
          description:
            "The scheduler's heartbeat (Authorization: token <cluster token>). A body larger than the cluster's workers can need is refused with 413.",
        },
        onRequest: (req: NameRequest, _reply, done) => {
          try {
            const c = tokenCluster(req);
            const announced = Number(req.headers['content-length'] ?? 0);
            const cap = heartbeatByteCap(c, ceiling);
            if (announced > cap) throw tooLarge(c, cap, announced);
            done();
          } catch (err) {
            done(err as Error);
          }
        },
        preParsing: (req: NameRequest, _reply, payload, done) => {
          const c = tokenCluster(req);
          const cap = heartbeatByteCap(c, ceiling);
          let seen = 0;
          const limited = new Transform({
            transform(chunk: Buffer, _enc, callback) {
              seen += chunk.length;
              if (seen > cap) callback(tooLarge(c, cap, null));
              else callback(null, chunk);
            },
          });
          payload.on('error', (err) => limited.destroy(err));
          done(null, payload.pipe(limited));
        },
      },
      async (req: NameRequest, reply) => {
        const c = tokenCluster(req);
        if (!Value.Check(Heartbeat, req.body)) {
          const first = [...Value.Errors(Heartbeat, req.body)][0];
          const where = first === undefined ? '' : ` at ${first.instancePath || 'the top level'}`;
          throw invalid(`Malformed heartbeat${where}: ${first?.message ?? 'not an object'}`);
        }
        await ctx.manager.heartbeat(c, req.body);
        return reply.code(200).send();
      }
    );
    next();
  });
}
