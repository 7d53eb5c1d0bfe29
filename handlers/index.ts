/**
 * The registry of capabilities, in the order their services are built (a capability may use the
 * services of those before it). Adding a capability is one line here: see docs/adding-a-capability.md.
 */
import type { Capability } from '../src/capability.js';
import { HandlerRegistry } from '../src/router/registry.js';
import { archive } from './archive.js';
import { attachments } from './attachments.js';
import { attendeeDirectory } from './attendee-directory.js';
import { budget } from './budget.js';
import { checkin } from './checkin.js';
import { closeoutCapability } from './closeout.js';
import { consoleCapability } from './console.js';
import { departments } from './departments.js';
import { door } from './door.js';
import { helpCommand } from './help.js';
import { incidentReview } from './incident-review.js';
import { incidents } from './incidents.js';
import { language } from './language.js';
import { roles } from './roles.js';
import { meetings } from './meetings.js';
import { reminders } from './reminders.js';
import { schedule } from './schedule.js';
import { suppliers } from './suppliers.js';
import { surveys } from './surveys.js';
import { tasks } from './tasks.js';

/** Close-out asks every capability for its open items: it reads the registry when it runs. */
const closeout = closeoutCapability(() => CAPABILITIES);

export const CAPABILITIES: readonly Capability[] = [language, roles, reminders, meetings, checkin, schedule, surveys, departments, tasks, door, incidents, incidentReview, suppliers, budget, consoleCapability, attachments, attendeeDirectory, closeout, archive];

/** Every command and card action, registered once: duplicates fail at start-up. `帮助` comes first and lists the rest. */
export function buildRegistry(capabilities: readonly Capability[] = CAPABILITIES): HandlerRegistry {
  const registry = new HandlerRegistry();
  registry.command(helpCommand(registry));
  for (const capability of capabilities) {
    for (const command of capability.commands ?? []) registry.command(command);
    for (const action of capability.cardActions ?? []) registry.cardAction(action);
    if (capability.onFile) registry.fileHandler(capability.onFile);
  }
  return registry;
}
