/**
 * Composition root: builds every part from the configuration and wires the one-way flow
 * adapter -> inbound queue -> router -> handler -> services -> outbound queue -> adapter.
 */
import { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildRegistry } from '../handlers/index.js';
import { inboundProcessor } from '../jobs/inbound.js';
import { outboundProcessor } from '../jobs/outbound.js';
import { scheduleProcessor } from '../jobs/schedule.js';
import type { Config } from './config.js';
import { createPrisma } from './db/client.js';
import { createAdapters } from './platforms/registry.js';
import { SimulatorAdapter } from './platforms/simulator/adapter.js';
import type { PlatformAdapter } from './platforms/types.js';
import { InboundSeal } from './queue/inbound-seal.js';
import { QueueInboundSink } from './queue/inbound-sink.js';
import { QUEUE_NAMES, type Queues, createQueues } from './queue/queues.js';
import { RecipientLimiter } from './queue/recipient-limiter.js';
import { sendRateLimiter } from './queue/send-rate.js';
import { connectRedis, evictionPolicyProblem } from './redis/connection.js';
import { Router } from './router/router.js';
import { buildServer } from './server.js';
import { CardService } from './services/cards.js';
import { Directory } from './services/directory.js';
import { LocaleService } from './services/locales.js';
import { Outbox } from './services/outbox.js';
import { AttendeeExport } from './services/attendee-export.js';
import { AttendeeImport } from './services/attendee-import.js';
import { CheckinService } from './services/checkin.js';
import { MediaStore } from './services/media.js';
import { SurveyReport } from './services/survey-report.js';
import { SurveyService } from './services/surveys.js';
import { MeetingStatsService } from './services/meeting-stats.js';
import { MeetingService } from './services/meetings.js';
import { PiiCipher } from './services/pii.js';
import { ReminderService } from './services/reminders.js';
import { RsvpService } from './services/rsvp.js';
import { resolveSecrets } from './secrets.js';
import { Scheduler } from './services/scheduler.js';
import { ChecklistService } from './services/checklists.js';
import { DepartmentService } from './services/departments.js';
import { IncidentService } from './services/incidents.js';
import { TaskService } from './services/tasks.js';
import { UrgentNotifier } from './services/urgent.js';
import { PlatformCalendar } from './services/calendar.js';
import { ScheduleService } from './services/schedule.js';
import { ConflictService } from './services/schedule-conflicts.js';
import type { Services } from './services/services.js';

export interface HuiwuApp {
  server: FastifyInstance;
  services: Services;
  adapters: PlatformAdapter[];
  /** The local simulator, when it runs. */
  simulator: SimulatorAdapter | undefined;
  queues: Queues;
  /** Stops taking work, lets running jobs finish, closes connections. */
  close(): Promise<void>;
}

export async function createHuiwu(config: Config, redisUrl: string, log: Logger = pino({ level: config.LOG_LEVEL })): Promise<HuiwuApp> {
  const db = createPrisma(config.DATABASE_URL);
  const redis = connectRedis(redisUrl);
  const policy = await evictionPolicyProblem(redis);
  if (policy) log.warn(`Redis maxmemory-policy is "${policy}": queued notifications can be evicted and lost. Set it to noeviction.`);

  const directory = new Directory(db);
  const locales = new LocaleService(directory, config);
  const adapters = createAdapters({ config, db, directory, log });
  const queues = createQueues(redis, config.HUIWU_QUEUE_PREFIX, adapters.map((a) => a.name));
  const outbox = new Outbox(db, queues.outbound, config);
  const cards = new CardService(db, outbox, locales);
  const scheduler = new Scheduler(queues.schedule);
  const reminders = new ReminderService(db, scheduler, cards, directory, locales, config);
  const meetingStats = new MeetingStatsService(db);
  const meetings = new MeetingService(db, scheduler, cards, outbox, directory, meetingStats, config);
  const rsvp = new RsvpService(db, meetings, cards, outbox, scheduler, config);
  const checkin = new CheckinService(db, meetings, cards, config);
  rsvp.onLateConfirmation = (meeting, attendee) => checkin.openCheckin(meeting, attendee);
  const departments = new DepartmentService(db, directory);
  const incidents = new IncidentService(db, scheduler, cards, outbox, directory, meetings, new UrgentNotifier(adapters, outbox, log), config);
  const tasks = new TaskService(db, scheduler, cards, outbox, directory, departments, meetings, config);
  const checklists = new ChecklistService(db, tasks, meetings, scheduler, outbox, config);
  const schedule = new ScheduleService(db, directory, new PlatformCalendar(adapters, log), config);
  const conflicts = new ConflictService(db, scheduler, cards, outbox, locales, schedule, meetings, config, log);
  meetings.onScheduleChange = (meetingId) => conflicts.meetingChanged(meetingId);
  rsvp.onAttendeesChanged = (meetingId, userIds) => conflicts.attendeesChanged(meetingId, userIds);
  const secrets = resolveSecrets(config, adapters.every((a) => a.name === 'simulator'));
  const pii = new PiiCipher(secrets.piiKey);
  const seal = new InboundSeal(secrets.piiKey);
  const media = new MediaStore(db);
  const surveys = new SurveyService(db, meetings, cards, outbox, locales, scheduler, config, secrets.piiKey);
  const services: Services = {
    config,
    db,
    log,
    directory,
    locales,
    outbox,
    cards,
    scheduler,
    reminders,
    meetings,
    meetingStats,
    rsvp,
    checkin,
    pii,
    attendeeImport: new AttendeeImport(db, directory, rsvp, pii),
    attendeeExport: new AttendeeExport(db, meetingStats, pii, config),
    media,
    surveys,
    surveyReport: new SurveyReport(surveys, meetings, outbox, locales, media, config.HUIWU_CJK_FONT),
    departments,
    incidents,
    tasks,
    checklists,
    schedule,
    conflicts,
    clock: () => new Date(),
  };
  const router = new Router(buildRegistry(), services);

  // Workers duplicate the connection for their blocking commands themselves.
  // A killed worker's running job is retried once its lock expires (stalled-job recovery).
  const workerOpts = { connection: redis, prefix: config.HUIWU_QUEUE_PREFIX, lockDuration: config.HUIWU_JOB_LOCK_MS, stalledInterval: config.HUIWU_JOB_LOCK_MS };
  const limiter = new RecipientLimiter(redis, config.HUIWU_QUEUE_PREFIX);
  const workers = [
    new Worker(QUEUE_NAMES.inbound, inboundProcessor(router, db, seal), { ...workerOpts, concurrency: 8 }),
    new Worker(QUEUE_NAMES.schedule, scheduleProcessor(services), { ...workerOpts, concurrency: 8 }),
    ...adapters.map(
      (adapter) =>
        new Worker(QUEUE_NAMES.outbound(adapter.name), outboundProcessor(services, adapter, limiter), {
          ...workerOpts,
          concurrency: 16,
          // The platform's rate in ~100 ms slices, so a backlog is not sent in once-a-second bursts.
          limiter: sendRateLimiter(adapter.sendRatePerSecond),
        }),
    ),
  ];
  for (const worker of workers) worker.on('error', (err) => log.error({ err, queue: worker.name }, 'worker error'));

  const sink = new QueueInboundSink(queues.inbound, queues.inboundEvents, seal);
  for (const adapter of adapters) await adapter.start(sink);

  const recovered = await outbox.recoverPending();
  const restored = await reminders.reconcileJobs();
  if (recovered || restored) log.info({ recovered, restored }, 'recovered pending work');
  await conflicts.startDigest();

  const server = await buildServer({
    log,
    adapters,
    admin: { token: secrets.adminToken, services },
  });
  return {
    server,
    services,
    adapters,
    simulator: adapters.find((a): a is SimulatorAdapter => a instanceof SimulatorAdapter),
    queues,
    async close() {
      await server.close();
      for (const adapter of adapters) await adapter.stop();
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
