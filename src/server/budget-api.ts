/**
 * Budgets in the admin API (behind its bearer token; the acting user `X-Huiwu-User` must be an
 * organizer of the meeting or a member of the finance department):
 *
 *   POST /api/meetings/:id/budget/import    text/csv -> 200 {imported} | 422 {error, errors: [{row, error}]} (nothing imported)
 *   GET  /api/meetings/:id/settlement.csv   lines and expenses with variance, tax and payment
 *   GET  /api/meetings/:id/cost-deviation   {approved, forecast, actual (fen), forecastDeviation, actualDeviation, year} | 404 without a budget
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '../errors.js';
import type { Services } from '../services/services.js';
import { type ActingRule, actingScope } from './acting-scope.js';

export async function budgetRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const financeOrOrganizers: ActingRule = {
    allowed: (meeting, actor) => services.budget.canWrite(meeting, actor),
    refusalNote: 'admin API: not an organizer or finance member',
    refusal: async (t, meeting) => t.t('errors.E_BUDGET_FORBIDDEN', { id: meeting.id, organizers: await services.meetings.organizerNames(meeting, t) }),
  };
  const scope = (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => actingScope(services, request, reply, request.params.id, financeOrOrganizers);

  app.post<{ Params: { id: string }; Body: string }>('/meetings/:id/budget/import', async (request, reply) => {
    const s = await scope(request, reply);
    if (!s) return reply;
    if (typeof request.body !== 'string') return reply.code(415).send({ error: s.t.t('adminApi.csvExpected') });
    try {
      const result = await services.budget.importCsv(s.t, s.meeting, s.actor, request.body, new Date());
      if (!result.ok) return reply.code(422).send({ error: s.t.t('adminApi.importRefused'), errors: result.problems });
      return { imported: result.imported };
    } catch (error) {
      if (error instanceof UserError) return reply.code(409).send({ error: s.t.t(error.key, error.params), code: error.code });
      throw error;
    }
  });

  app.get<{ Params: { id: string } }>('/meetings/:id/settlement.csv', async (request, reply) => {
    const s = await scope(request, reply);
    if (!s) return reply;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="meeting-${s.meeting.id}-settlement.csv"`)
      .send(await services.budgetReport.csv(s.t, s.meeting));
  });

  app.get<{ Params: { id: string } }>('/meetings/:id/cost-deviation', async (request, reply) => {
    const s = await scope(request, reply);
    if (!s) return reply;
    const cost = await services.budget.costDeviation(s.meeting.id);
    if (!cost) return reply.code(404).send({ error: s.t.t('budget.empty', { id: s.meeting.id, title: s.meeting.title }) });
    return { ...cost, year: await services.budget.yearDeviation(services.budget.yearOf(s.meeting.startAt)) };
  });
}
