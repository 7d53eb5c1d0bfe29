/** The ports a handler or processor may use. Built once in `src/app.ts`. */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { CardService } from './cards.js';
import type { Directory } from './directory.js';
import type { Outbox } from './outbox.js';
import type { AttendeeExport } from './attendee-export.js';
import type { AttendeeImport } from './attendee-import.js';
import type { CheckinService } from './checkin.js';
import type { MediaStore } from './media.js';
import type { SurveyReport } from './survey-report.js';
import type { SurveyService } from './surveys.js';
import type { MeetingStatsService } from './meeting-stats.js';
import type { MeetingService } from './meetings.js';
import type { PiiCipher } from './pii.js';
import type { ReminderService } from './reminders.js';
import type { RsvpService } from './rsvp.js';
import type { Scheduler } from './scheduler.js';

export interface Services {
  config: Config;
  db: PrismaClient;
  log: Logger;
  directory: Directory;
  outbox: Outbox;
  cards: CardService;
  scheduler: Scheduler;
  reminders: ReminderService;
  meetings: MeetingService;
  meetingStats: MeetingStatsService;
  rsvp: RsvpService;
  checkin: CheckinService;
  pii: PiiCipher;
  attendeeImport: AttendeeImport;
  attendeeExport: AttendeeExport;
  media: MediaStore;
  surveys: SurveyService;
  surveyReport: SurveyReport;
  clock: () => Date;
}
