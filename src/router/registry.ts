/** Registration of commands and card actions. Duplicates fail at boot, not at the first message. */
import type { CardActionSpec, CommandSpec } from './types.js';

export class HandlerRegistry {
  private readonly commands: CommandSpec[] = [];
  private readonly byKeyword = new Map<string, CommandSpec>();
  private readonly actions = new Map<string, CardActionSpec>();

  command(spec: CommandSpec): this {
    if (this.commands.some((c) => c.id === spec.id)) throw new Error(`Duplicate command id: ${spec.id}`);
    for (const keyword of spec.keywords) {
      const key = keyword.toLowerCase();
      if (this.byKeyword.has(key)) throw new Error(`Duplicate command keyword: ${keyword}`);
      this.byKeyword.set(key, spec);
    }
    this.commands.push(spec);
    return this;
  }

  cardAction(spec: CardActionSpec): this {
    if (this.actions.has(spec.key)) throw new Error(`Duplicate card action: ${spec.key}`);
    this.actions.set(spec.key, spec);
    return this;
  }

  allCommands(): readonly CommandSpec[] {
    return this.commands;
  }

  keywords(): string[] {
    return this.commands.flatMap((c) => c.keywords);
  }

  commandFor(keyword: string): CommandSpec | undefined {
    return this.byKeyword.get(keyword.toLowerCase());
  }

  actionFor(key: string): CardActionSpec | undefined {
    return this.actions.get(key);
  }
}
