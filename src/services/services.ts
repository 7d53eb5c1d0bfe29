/**
 * The ports a handler or processor may use. The core ports are built in `src/app.ts`; each
 * capability adds its own services to this interface by declaration merging in its service file
 * (`declare module './services.js' { interface Services { reminders: ReminderService } }`) and builds
 * them through its entry in `handlers/index.ts`.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { CalendarPort } from './calendar.js';
import type { CardRefPort } from '../platforms/types.js';
import type { CardService } from './cards.js';
import type { Directory } from './directory.js';
import type { DomainEvents } from './events.js';
import type { PlatformJsapi } from './jsapi.js';
import type { InboundFiles } from './inbound-files.js';
import type { LocaleService } from './locales.js';
import type { MediaStore } from './media.js';
import type { Outbox } from './outbox.js';
import type { PageAccess } from './page-access.js';
import type { PiiCipher } from './pii.js';
import type { PlatformSignIn } from './platform-sign-in.js';
import type { Scheduler } from './scheduler.js';
import type { UrgentNotifier } from './urgent.js';

/** The ports built before any capability. */
export interface CoreServices {
  config: Config;
  db: PrismaClient;
  log: Logger;
  directory: Directory;
  locales: LocaleService;
  outbox: Outbox;
  cards: CardService;
  /** The platforms' references to the cards we sent (adapters keep theirs through it). */
  cardRefs: CardRefPort;
  scheduler: Scheduler;
  /** Changes one capability reports and others react to (a meeting moved: check executives' schedules). */
  events: DomainEvents;
  pii: PiiCipher;
  media: MediaStore;
  /** Files and images people sent, read from the Media table or downloaded from their platform. */
  inboundFiles: InboundFiles;
  urgent: UrgentNotifier;
  calendar: CalendarPort;
  /** The personal-data key (anonymous-survey receipts derive theirs from it). */
  piiKey: Buffer;
  /** Signs admission codes at the door (HUIWU_ADMISSION_KEY, see src/secrets.ts). */
  admissionKey: Buffer;
  /** JS-SDK signatures for our pages inside a platform's app (WeCom's scanner). */
  jsapi: PlatformJsapi;
  /** Sign-in to the web pages: links sent in chat, browser sessions. */
  pageAccess: PageAccess;
  /** Sign-in by WeCom/DingTalk themselves (web OAuth, H5 免登), from the adapters that offer it. */
  platformSignIn: PlatformSignIn;
  clock: () => Date;
}

/** The core ports plus every capability's services (added by declaration merging). */
export interface Services extends CoreServices {}

/** What a handler may use: every service, but not the database, the queue ports or the outbox (data only through services). */
export type HandlerServices = Omit<Services, 'db' | 'scheduler' | 'outbox'>;
