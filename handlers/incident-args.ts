/** Parsing of `上报` arguments (forgiving order, defaults) and of incident ids. */
import { type IncidentType, levelOfWord, typeOfWord } from '../cards/incident-labels.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CommandContext, UsageError, UserError, msg } from '../src/router/types.js';
import type { IncidentRow } from '../src/services/incidents.js';
import { takeShortId } from './args.js';

export const DEFAULT_SEVERITY = 3;
const MAX_DESCRIPTION = 200;

export { typeOfWord as incidentType, levelOfWord as severityOf };

export interface ReportSpec {
  type: IncidentType;
  severity: number;
  location: string | null;
  description: string;
}

/** `地点 X`, `地点X`, `地点:X`, `location: X`: the location word's tokens, or null. */
function locationWord(tokens: readonly string[], i: number): { value: string | null; used: number } | null {
  const token = tokens[i]!.toLowerCase();
  for (const word of words('incident.words.location')) {
    if (token === word || token === `${word}:` || token === `${word}：`) return { value: tokens[i + 1] ?? null, used: 2 };
    const glued = token.startsWith(`${word}:`) || token.startsWith(`${word}：`) ? word.length + 1 : /^[a-z]/.test(word) ? 0 : token.startsWith(word) ? word.length : 0;
    if (glued) return { value: tokens[i]!.slice(glued) || null, used: 1 };
  }
  return null;
}

/** `P2`, `二级`, `level2`, or `级别 2` / `level 2` (two tokens); how many tokens it took. */
function levelAt(tokens: readonly string[], i: number): { level: number; used: number } | null {
  const level = levelOfWord(tokens[i]);
  if (level) return { level, used: 1 };
  if (words('incident.words.levelWord').includes(tokens[i]!.toLowerCase())) {
    const n = Number(tokens[i + 1]);
    if (Number.isInteger(n) && n >= 1 && n <= 4) return { level: n, used: 2 };
  }
  return null;
}

/**
 * `<类型> <级别> <地点> <描述>` in any order: type and severity are recognised wherever they are
 * (defaults 其他, P3); `地点 X` marks the location, else the first remaining word is the location
 * when a description follows it.
 */
export function parseReport(text: string): ReportSpec {
  const tokens = text.split(' ').filter(Boolean);
  let type: IncidentType | null = null;
  let severity: number | null = null;
  let location: string | null = null;
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const t: IncidentType | null = type ? null : typeOfWord(token);
    const level: ReturnType<typeof levelAt> = severity ? null : levelAt(tokens, i);
    const place: ReturnType<typeof locationWord> = location ? null : locationWord(tokens, i);
    if (t) type = t;
    else if (level) {
      severity = level.level;
      i += level.used - 1;
    } else if (place) {
      location = place.value;
      i += place.used - 1;
    } else rest.push(token);
  }
  if (!location && rest.length >= 2) location = rest.shift()!;
  const description = rest.join(' ').trim();
  if (!description) throw new UsageError('E_INCIDENT_DESCRIPTION_MISSING');
  if (description.length > MAX_DESCRIPTION) throw new UsageError('E_INCIDENT_DESCRIPTION_TOO_LONG', { max: MAX_DESCRIPTION });
  return { type: type ?? 'other', severity: severity ?? DEFAULT_SEVERITY, location, description };
}

/** Splits `#12 rest` into the incident id and the rest; `example` names a catalogue example (`incident.example.*`). */
export function takeIncidentId(args: string, example: string): { id: number; rest: string } {
  return takeShortId(args, msg('incident.noun'), msg(`incident.example.${example}`));
}

export async function loadIncident(ctx: Pick<CommandContext, 'services'>, id: number): Promise<IncidentRow> {
  const incident = await ctx.services.incidents.get(id);
  if (!incident) throw new UserError('E_INCIDENT_NOT_FOUND', { id });
  return incident;
}
