/**
 * A capability (reminders, meetings, surveys, ...) plugs into the app through one object listed in
 * `handlers/index.ts`: the services it builds, its commands and card actions, the processors of its
 * delayed jobs, and what it does at start-up. Its service types and job payloads join the shared
 * `Services` and `ScheduleJobs` interfaces by declaration merging in its own service file, so adding
 * a capability touches no central file but the registry (docs/adding-a-capability.md).
 */
import type { Job } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Translator } from './i18n/translator.js';
import type { ScheduleJobName, ScheduleJobs } from './queue/queues.js';
import type { CardActionSpec, CommandSpec, FileHandler } from './router/types.js';
import type { OpenItem } from './services/open-item.js';
import type { Services } from './services/services.js';

export type { OpenItem };

export type JobProcessor<N extends ScheduleJobName> = (services: Services, data: ScheduleJobs[N], job: Job) => Promise<string>;
export type JobProcessors = { [N in ScheduleJobName]?: JobProcessor<N> };

export interface Capability {
  /** For error messages at start-up. */
  name: string;
  /** Builds this capability's services; called in registry order, so earlier capabilities' services exist. */
  services?: (built: Services) => Partial<Services>;
  commands?: readonly CommandSpec[];
  cardActions?: readonly CardActionSpec[];
  /** What it does with a file or image sent without a command (src/router/types.ts FileHandler). */
  onFile?: FileHandler;
  /** Processors of its jobs on the schedule queue, by job name. */
  jobs?: JobProcessors;
  /** Re-creates scheduled work that must exist (at start-up and after Redis came back); returns how much it restored. */
  recover?: (services: Services) => Promise<number>;
  /** One-time start-up work once every service exists (job schedulers, digests). */
  start?: (services: Services) => Promise<void>;
  /**
   * Its web pages and their data routes (modules under `src/web/`), each guarded by `pageUser`
   * (src/web/sign-in.ts): a signed-in session, and its CSRF token on writes.
   */
  pages?: (app: FastifyInstance, services: Services) => Promise<void>;
  /**
   * What this capability still has open for a meeting, for its close-out checklist (`会议 结束`),
   * worded with `t` (the organizers' group's language). A capability that adds work to a meeting
   * (budget, check-in) adds its items here; the close-out code does not change.
   */
  closeOut?: (services: Services, meetingId: number, t: Translator) => Promise<OpenItem[]>;
}
