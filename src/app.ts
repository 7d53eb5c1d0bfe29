/**
 * Composition root: builds every part from the configuration and wires the one-way flow
 * adapter -> inbound queue -> router -> handler -> services -> outbound queue -> adapter.
 */
import { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { CAPABILITIES, buildRegistry } from '../handlers/index.js';
import { inboundProcessor } from '../jobs/inbound.js';
import { maintenanceProcessor, scheduleMaintenance } from '../jobs/maintenance.js';
import { outboundProcessor } from '../jobs/outbound.js';
import { scheduleProcessor } from '../jobs/schedule.js';
import type { Config } from './config.js';
import { openPrisma } from './db/open-prisma.js';
import { registerInstance } from './db/instances.js';
import { sqliteFilePath } from './db/sqlite-url.js';
import { BackupService, type BackupSource } from './services/backup.js';
import { databaseKind } from './db/database-url.js';
import { type SimulatorAdapter, createAdapters, simulatorOf } from './platforms/registry.js';
import type { PlatformAdapter } from './platforms/types.js';
import { InboundSeal } from './queue/inbound-seal.js';
import { QueueInboundSink } from './queue/inbound-sink.js';
import { SenderBudget } from './queue/sender-budget.js';
import { QUEUE_NAMES, type Queues, createQueues } from './queue/queues.js';
import { RecipientLimiter } from './queue/recipient-limiter.js';
import { SendPacer } from './queue/send-pacer.js';
import { redisChangeBus } from './redis/change-bus.js';
import { connectRedis, evictionPolicyProblem, queuePrefix } from './redis/connection.js';
import { Lease } from './redis/lease.js';
import { relayEvent } from './redis/relay.js';
import { migrationsApplied } from './db/migrations-applied.js';
import { ConditionNotMet } from './errors.js';
import { monitorRedis } from './redis/monitor.js';
import { RedisOnceLedger } from './redis/once.js';
import { Retention } from './services/retention.js';
import { Router } from './router/router.js';
import { buildServer } from './server.js';
import { CardRefStore } from './services/card-refs.js';
import { CardService } from './services/cards.js';
import { Directory } from './services/directory.js';
import { DomainEvents } from './services/events.js';
import { LocaleService } from './services/locales.js';
import { Outbox } from './services/outbox.js';
import { InboundFiles } from './services/inbound-files.js';
import { MediaStore } from './services/media.js';
import { PageAccess } from './services/page-access.js';
import { PiiCipher } from './services/pii.js';
import { PlatformSignIn } from './services/platform-sign-in.js';
import { resolveSecrets } from './secrets.js';
import { Scheduler } from './services/scheduler.js';
import { UrgentNotifier } from './services/urgent.js';
import { PlatformCalendar } from './services/calendar.js';
import { PlatformJsapi } from './services/jsapi.js';
import type { CoreServices, Services } from './services/services.js';

export interface HuiwuApp {
  server: FastifyInstance;
  services: Services;
  adapters: PlatformAdapter[];
  /** The local simulator, when it runs. */
  simulator: SimulatorAdapter | undefined;
  queues: Queues;
  /** The periodic database backup (also run by the maintenance queue). */
  backup: BackupService;
  /** The lease on single-owner work (recovery, schedulers, the WeCom bot connection). */
  coordinator: Lease;
  /** Stops taking work, lets running jobs finish, closes connections. */
  close(): Promise<void>;
}

/**
 * `role` (HUIWU_ROLE by default): `web` starts no queue worker and takes no part in the lease;
 * `worker` does not start the platforms' inbound entrances (callers do not listen on its server).
 */
export async function createHuiwu(
  config: Config,
  redisUrl: string,
  log: Logger = pino({ level: config.LOG_LEVEL }),
  role: Config['HUIWU_ROLE'] = config.HUIWU_ROLE,
): Promise<HuiwuApp> {
  const db = await openPrisma(config.DATABASE_URL, { poolSize: config.HUIWU_DB_POOL_SIZE, sqliteSync: config.HUIWU_SQLITE_SYNC });
  const database: BackupSource =
    databaseKind(config.DATABASE_URL) === 'postgresql' ? { kind: 'postgresql', url: config.DATABASE_URL } : { kind: 'sqlite', file: sqliteFilePath(config.DATABASE_URL, process.cwd()) };
  // `npm run db:restore` refuses to replace a SQLite database while this marker names a live process.
  const unregister = database.kind === 'sqlite' ? registerInstance(database.file) : () => undefined;
  const redis = connectRedis(redisUrl, config.HUIWU_REDIS_OPTIONS);
  // BullMQ's keys; on a Redis Cluster hash-tagged so each queue's keys share a slot.
  const prefix = queuePrefix(config.HUIWU_QUEUE_PREFIX, redisUrl);
  // Set once recovery exists (below); a drop before that is covered by the start-up recovery itself.
  let recover: () => Promise<void> = async () => undefined;
  const connection = monitorRedis(redis, log, () => recover());
  const policy = await evictionPolicyProblem(redis);
  if (policy) log.warn(`Redis maxmemory-policy is "${policy}": queued notifications can be evicted and lost. Set it to noeviction.`);

  const changes = await redisChangeBus(redis, `${config.HUIWU_QUEUE_PREFIX}:relay:directory`);
  const directory = new Directory(db, changes, new Set(config.HUIWU_ADMINS ?? []));
  const locales = new LocaleService(directory, config);
  const cardRefs = new CardRefStore(db);
  const media = new MediaStore(db);
  const clock = () => new Date();
  const pageAccess = new PageAccess(db, config, clock);
  const adapters = await createAdapters({ config, db, directory, cardRefs, media, log, once: new RedisOnceLedger(redis, config.HUIWU_QUEUE_PREFIX), signInLinks: pageAccess });
  // While Redis is down every queue and worker reports each reconnect attempt: the monitor has said it once.
  const queueError = (err: Error, queue: string) => (connection.ready() ? log.error({ err, queue }, 'queue error') : log.debug({ err, queue }, 'queue error'));
  const queues = createQueues(redis, prefix, adapters.map((a) => a.name), queueError);
  const outbox = new Outbox(db, queues.outbound, config, log);
  const cards = new CardService(db, outbox, locales);
  const scheduler = new Scheduler(queues.schedule);
  const secrets = resolveSecrets(config, adapters.every((a) => a.name === 'simulator'));
  const seal = new InboundSeal(secrets.piiKey);
  const core: CoreServices = {
    config,
    db,
    log,
    directory,
    locales,
    outbox,
    cards,
    cardRefs,
    scheduler,
    events: new DomainEvents(),
    pii: new PiiCipher(secrets.piiKey),
    media,
    inboundFiles: new InboundFiles(media, adapters),
    urgent: new UrgentNotifier(adapters, outbox, locales, log),
    calendar: new PlatformCalendar(adapters, log),
    jsapi: new PlatformJsapi(adapters),
    piiKey: secrets.piiKey,
    admissionKey: secrets.admissionKey,
    pageAccess,
    platformSignIn: new PlatformSignIn(adapters),
    clock,
  };
  // Each capability adds its services, in registry order (later ones may use earlier ones').
  const services = core as Services;
  for (const capability of CAPABILITIES) Object.assign(services, capability.services?.(services));
  const router = new Router(buildRegistry(CAPABILITIES), services);
  const backup = new BackupService(db, database, config, secrets.backupKey, outbox, directory, locales, log);

  // Workers duplicate the connection for their blocking commands themselves.
  // A killed worker's running job is retried once its lock expires (stalled-job recovery).
  const workerOpts = { connection: redis, prefix, lockDuration: config.HUIWU_JOB_LOCK_MS, stalledInterval: config.HUIWU_JOB_LOCK_MS };
  const limiter = new RecipientLimiter(redis, config.HUIWU_QUEUE_PREFIX);
  const pacer = new SendPacer(redis, config.HUIWU_QUEUE_PREFIX);
  const workers: Worker[] = role === 'web' ? [] : [
    new Worker(QUEUE_NAMES.inbound, inboundProcessor(router, db, locales, seal), { ...workerOpts, concurrency: 8 }),
    new Worker(QUEUE_NAMES.schedule, scheduleProcessor(services, CAPABILITIES), { ...workerOpts, concurrency: 8 }),
    ...adapters.map(
      (adapter) =>
        new Worker(QUEUE_NAMES.outbound(adapter.name), outboundProcessor(services, adapter, limiter, (priority) => pacer.take(adapter.name, adapter.sendRatePerSecond, priority)), {
          ...workerOpts,
          // The platform's rate is kept by the pacer; this many sends wait for their slots at most.
          concurrency: 16,
          // Sends that need a single-owner connection run on the lease holder only (started below).
          autorun: !adapter.exclusive?.sendsNeedIt,
        }),
    ),
    new Worker(QUEUE_NAMES.maintenance, maintenanceProcessor(new Retention(db, config, log), backup), { ...workerOpts, concurrency: 1 }),
  ];
  for (const worker of workers) worker.on('error', (err) => queueError(err, worker.name));

  // Live pages hear changes made on other instances too.
  const relays = [await relayEvent(redis, `${config.HUIWU_QUEUE_PREFIX}:relay:console`, services.consoleFeed.raw, 'change')];
  const sim = simulatorOf(adapters);
  if (sim) relays.push(await relayEvent(redis, `${config.HUIWU_QUEUE_PREFIX}:relay:simulator`, sim.changes, 'change'));

  const senders = { senders: new SenderBudget(config.HUIWU_RATE_LIMIT_USER_PER_MINUTE), log };
  const sink = new QueueInboundSink(queues.inbound, queues.inboundEvents, locales, seal, connection.ready, senders);
  // A worker takes no requests: it starts only the platforms whose inbound arrives over lease-bound
  // work (the WeCom bot's connection); callbacks, the simulator and DingTalk's stream are the web's.
  for (const adapter of adapters) if (role !== 'worker' || adapter.exclusive) await adapter.start(sink);

  const recoverNow = async () => {
    const recovered = await outbox.recoverPending();
    let restored = 0;
    for (const capability of CAPABILITIES) restored += (await capability.recover?.(services)) ?? 0;
    if (recovered || restored) log.info({ recovered, restored }, 'recovered pending work');
  };
  // Work with one owner among all instances sharing this Redis: start-up recovery, scheduler
  // registration and single-connection platform work, under a lease (taken over within ~4/3 of
  // HUIWU_LEASE_TTL_MS when its holder dies). With one instance it is taken here, before the server listens.
  const exclusiveWorkers = workers.filter((w) => adapters.some((a) => a.exclusive?.sendsNeedIt && w.name === QUEUE_NAMES.outbound(a.name)));
  const running = new Set<Worker>();
  const coordinator = new Lease(redis, {
    key: `${config.HUIWU_QUEUE_PREFIX}:lease:coordinator`,
    ttlMs: config.HUIWU_LEASE_TTL_MS,
    log,
    onAcquire: async () => {
      for (const adapter of adapters) await adapter.exclusive?.start();
      for (const worker of exclusiveWorkers) {
        if (running.has(worker)) worker.resume();
        else void worker.run().catch((err: unknown) => queueError(err as Error, worker.name));
        running.add(worker);
      }
      await recoverNow();
      for (const capability of CAPABILITIES) await capability.start?.(services);
      await scheduleMaintenance(queues.maintenance, config);
    },
    onLose: async () => {
      for (const worker of exclusiveWorkers) if (running.has(worker)) void worker.pause(true);
      for (const adapter of adapters) await adapter.exclusive?.stop();
    },
  });
  // After a Redis outage the holder recovers again (a Redis restarted from its AOF may miss the last writes).
  recover = async () => (coordinator.holding ? recoverNow() : undefined);
  // The lease work includes exclusive platform sends, run by this process's outbound workers: a
  // web process has none, so it never takes the lease.
  if (role !== 'web') await coordinator.start();
  const migrated = migrationsApplied(db, databaseKind(config.DATABASE_URL));
  let closing = false;

  const server = await buildServer({
    log,
    adapters,
    admin: { token: secrets.adminToken, services },
    capabilities: CAPABILITIES,
    probes: {
      redis: async () => {
        if (!connection.ready()) throw new ConditionNotMet(`connection ${redis.status}`);
        await redis.ping();
      },
      database: async () => {
        await db.$queryRaw`SELECT 1`;
      },
    },
    // May this instance take traffic: the dependencies, this code's migrations, the workers, not stopping.
    readiness: {
      migrations: () => migrated(),
      workers: async () => {
        if (closing) throw new ConditionNotMet('shutting down');
        const idle = workers.filter((w) => !w.isRunning() && !exclusiveWorkers.includes(w));
        if (idle.length) throw new ConditionNotMet(`not running: ${idle.map((w) => w.name).join(', ')}`);
      },
    },
    instance: () => ({ coordinator: coordinator.holding, leaseToken: coordinator.token }),
  });
  return {
    server,
    services,
    adapters,
    simulator: sim,
    queues,
    backup,
    coordinator,
    async close() {
      closing = true;
      await coordinator.stop();
      await server.close();
      for (const relay of relays) relay.close();
      for (const adapter of adapters) await adapter.stop();
      if (connection.ready()) {
        await Promise.all(workers.map((w) => w.close()));
        await queues.close();
      } else {
        // Redis is down: a graceful close would wait for it forever. Running jobs are not handed
        // back; their locks expire and the next run retries them (a message is marked sent once).
        await Promise.all(workers.map((w) => w.close(true)));
        queues.disconnect();
      }
      connection.stop();
      changes.close();
      redis.disconnect();
      await db.$disconnect();
      unregister();
    },
  };
}
