/**
 * One error handler for the whole server. Bad input gets its 4xx with a clear message; anything
 * unexpected is answered `{ error: 'internal', ref }` and only the log has the details (stack,
 * ORM message, source paths), under the same reference the client can quote.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorReference } from '../errors.js';
import { HttpError } from './http-error.js';

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof HttpError && (error.statusCode < 500 || error.statusCode === 503)) {
      if (error.statusCode === 503) request.log.warn({ url: request.routeOptions.url, reason: error.message }, 'service unavailable');
      return reply.code(error.statusCode).send({ error: error.message });
    }
    // fastify's own client errors: validation, body too large, bad content type, rate limit...
    const status = (error as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return reply.code(status).send({ error: error.message });
    const ref = errorReference();
    request.log.error({ err: error, ref, method: request.method, route: request.routeOptions.url }, 'request failed');
    return reply.code(500).send({ error: 'internal', ref });
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` }));
}
