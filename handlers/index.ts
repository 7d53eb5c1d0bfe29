/** Every command and card action, registered once. Adding a capability = one file + one line here. */
import { HandlerRegistry } from '../src/router/registry.js';
import { checkinAction, checkinCommand } from './checkin.js';
import { helpCommand } from './help.js';
import { languageCommand } from './language.js';
import { rsvpActions } from './invitations.js';
import { meetingCommand } from './meetings.js';
import { reminderAckAction, reminderCommand, reminderSnoozeAction } from './reminders.js';
import { reminderTimeChoiceActions } from './reminder-time-choice.js';
import { surveyCommand, surveySubmitAction } from './surveys.js';
import { scheduleActions, scheduleCommand } from './schedule.js';
import { checklistCommand, departmentCommand } from './departments.js';
import { incidentActions } from './incident-actions.js';
import { reviewCommand } from './incident-review.js';
import { incidentCommand, reportCommand } from './incidents.js';
import { taskActions, taskCommand } from './tasks.js';

export function buildRegistry(): HandlerRegistry {
  const registry = new HandlerRegistry();
  registry.command(helpCommand(registry)).command(languageCommand);
  registry.command(reminderCommand).cardAction(reminderAckAction).cardAction(reminderSnoozeAction);
  for (const action of reminderTimeChoiceActions) registry.cardAction(action);
  registry.command(meetingCommand);
  for (const action of rsvpActions) registry.cardAction(action);
  registry.command(checkinCommand).cardAction(checkinAction);
  registry.command(surveyCommand).cardAction(surveySubmitAction);
  registry.command(scheduleCommand);
  for (const action of scheduleActions) registry.cardAction(action);
  registry.command(reportCommand).command(incidentCommand).command(reviewCommand);
  for (const action of incidentActions) registry.cardAction(action);
  registry.command(taskCommand).command(departmentCommand).command(checklistCommand);
  for (const action of taskActions) registry.cardAction(action);
  return registry;
}
