/**
 * Departments in the admin API (behind its bearer token), for directory sync scripts:
 *
 *   GET /api/departments                 [{name, headUserId, memberIds}]
 *   PUT /api/departments/:name  {headUserId?, memberIds?}   creates the department if needed,
 *                                sets the head, adds members -> 200 {name, headUserId, memberIds}
 *
 * The acting user (`X-Huiwu-User`) must be an organizer or an admin.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '../errors.js';
import type { Services } from '../services/services.js';

export async function departmentRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const d = services.departments;

  async function manager(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const actorId = request.headers['x-huiwu-user'];
    const actor = typeof actorId === 'string' ? await services.directory.user(actorId) : null;
    if (!actor || !actor.roles.some((r) => r === 'organizer' || r === 'admin')) {
      await reply.code(403).send({ error: 'X-Huiwu-User must be an organizer or an admin' });
      return false;
    }
    return true;
  }

  const view = async (name: string) => {
    const dept = (await d.byName(name))!;
    return { name: dept.name, headUserId: dept.headUserId, memberIds: (await d.members(name)).map((m) => m.id) };
  };

  app.get('/departments', async (request, reply) => {
    if (!(await manager(request, reply))) return reply;
    return Promise.all((await d.list()).map((dept) => view(dept.name)));
  });

  app.put<{ Params: { name: string }; Body: { headUserId?: string; memberIds?: string[] } }>(
    '/departments/:name',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { headUserId: { type: 'string', minLength: 1 }, memberIds: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 5000 } },
        },
      },
    },
    async (request, reply) => {
      if (!(await manager(request, reply))) return reply;
      const { name } = request.params;
      const { headUserId, memberIds } = request.body ?? {};
      const unknown = (await Promise.all([headUserId, ...(memberIds ?? [])].filter((x): x is string => !!x).map(async (id) => ((await services.directory.user(id)) ? null : id)))).filter(Boolean);
      if (unknown.length > 0) return reply.code(422).send({ error: `unknown users: ${unknown.join(', ')}` });
      try {
        if (!(await d.byName(name))) await d.create(name, null);
        if (headUserId) await d.setHead(name, headUserId);
        if (memberIds?.length) await d.addMembers(name, memberIds);
      } catch (error) {
        // The API speaks the configured default language (it has no reader of its own).
        if (error instanceof UserError) return reply.code(422).send({ error: services.locales.translator().t(error.key, error.params), code: error.code });
        throw error;
      }
      return view(name);
    },
  );
}
