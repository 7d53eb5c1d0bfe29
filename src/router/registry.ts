/** Registration of commands and card actions. Duplicates fail at boot, not at the first message. */
import type { Locale } from '../i18n/catalog.js';
import { localeOfWord, words } from '../i18n/vocabulary.js';
import type { CardActionSpec, CommandSpec, FileHandler } from './types.js';

/** The catalogue key of a command's keywords. */
export const keywordsKey = (id: string): string => `commands.${id}.keywords`;

export class HandlerRegistry {
  private readonly commands: CommandSpec[] = [];
  private readonly byKeyword = new Map<string, CommandSpec>();
  private readonly actions = new Map<string, CardActionSpec>();
  private readonly files: FileHandler[] = [];

  /** `keywordsFor` is the catalogue lookup; tests may pass their own. */
  constructor(private readonly keywordsFor: (id: string) => string[] = (id) => words(keywordsKey(id))) {}

  command(spec: CommandSpec): this {
    if (this.commands.some((c) => c.id === spec.id)) throw new Error(`Duplicate command id: ${spec.id}`);
    for (const keyword of this.keywordsOf(spec)) {
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

  fileHandler(handler: FileHandler): this {
    this.files.push(handler);
    return this;
  }

  fileHandlers(): readonly FileHandler[] {
    return this.files;
  }

  allCommands(): readonly CommandSpec[] {
    return this.commands;
  }

  keywords(): string[] {
    return this.commands.flatMap((c) => this.keywordsOf(c));
  }

  /** Every language's keywords of a command, Chinese first. */
  keywordsOf(spec: CommandSpec): string[] {
    return this.keywordsFor(spec.id);
  }

  /** The language of a typed keyword (an English alias suggests an English reply). */
  localeOfKeyword(spec: CommandSpec, keyword: string): Locale | undefined {
    return localeOfWord(keywordsKey(spec.id), keyword);
  }

  commandFor(keyword: string): CommandSpec | undefined {
    return this.byKeyword.get(keyword.toLowerCase());
  }

  actionFor(key: string): CardActionSpec | undefined {
    return this.actions.get(key);
  }
}
