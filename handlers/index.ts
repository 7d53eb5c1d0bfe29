/** Every command and card action, registered once. Adding a capability = one file + one line here. */
import { HandlerRegistry } from '../src/router/registry.js';
import { helpCommand } from './help.js';
import { reminderAckAction, reminderCommand, reminderSnoozeAction } from './reminders.js';

export function buildRegistry(): HandlerRegistry {
  const registry = new HandlerRegistry();
  registry.command(helpCommand(registry));
  registry.command(reminderCommand).cardAction(reminderAckAction).cardAction(reminderSnoozeAction);
  return registry;
}
