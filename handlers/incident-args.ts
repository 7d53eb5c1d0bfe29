/** Parsing of `上报` arguments (forgiving order, defaults) and of incident ids. */
import { type IncidentType, levelOfWord, typeOfWord } from '../cards/incident-labels.js';
import type { Translator } from '../src/i18n/translator.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CommandContext, UsageError, UserError, msg } from '../src/router/types.js';
import type { IncidentRow } from '../src/services/incidents.js';
import { parseShortId } from '../src/router/normalize.js';
import type { MeetingRow } from '../src/services/meetings.js';
import type { HandlerServices } from '../src/services/services.js';
import { takeShortId } from './args.js';

export const DEFAULT_SEVERITY = 3;
const MAX_DESCRIPTION = 200;

export { typeOfWord as incidentType, levelOfWord as severityOf };

export interface ReportSpec {
  type: IncidentType;
  severity: number;
  location: string | null;
  description: string;
  /** `会议 #N` / `meeting #N`: the meeting it belongs to; null: the group's implicit one. */
  meetingId: number | null;
  /** `供应商 某某酒店` / `supplier X`: the supplier it is attributed to (its scorecard). */
  supplier: string | null;
}

/** `会议 #4`, `会议#4`, `meeting #4`: the meeting id and how many tokens it took. A bare word stays a word. */
function meetingAt(tokens: readonly string[], i: number): { id: number; used: number } | null {
  const token = tokens[i]!.toLowerCase();
  for (const word of words('incident.words.meeting')) {
    if (token === word) {
      const id = parseShortId(tokens[i + 1]);
      if (id !== null) return { id, used: 2 };
    } else if (token.startsWith(`${word}#`)) {
      const id = parseShortId(token.slice(word.length));
      if (id !== null) return { id, used: 1 };
    }
  }
  return null;
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

/** `供应商 X` / `supplier X`: the supplier's name and how many tokens it took. */
function supplierAt(tokens: readonly string[], i: number): { name: string; used: number } | null {
  if (!words('incident.words.supplier').includes(tokens[i]!.toLowerCase())) return null;
  const name = tokens[i + 1];
  if (!name) throw new UsageError('E_INCIDENT_SUPPLIER_MISSING');
  return { name, used: 2 };
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
  let meetingId: number | null = null;
  let supplier: string | null = null;
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const t: IncidentType | null = type ? null : typeOfWord(token);
    const level: ReturnType<typeof levelAt> = severity ? null : levelAt(tokens, i);
    const place: ReturnType<typeof locationWord> = location ? null : locationWord(tokens, i);
    const meeting: ReturnType<typeof meetingAt> = meetingId ? null : meetingAt(tokens, i);
    const named: ReturnType<typeof supplierAt> = supplier ? null : supplierAt(tokens, i);
    if (named) {
      supplier = named.name;
      i += named.used - 1;
    } else if (meeting) {
      meetingId = meeting.id;
      i += meeting.used - 1;
    } else if (t) type = t;
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
  return { type: type ?? 'other', severity: severity ?? DEFAULT_SEVERITY, location, description, meetingId, supplier };
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

/**
 * The meeting an incident belongs to: the one named (`会议 #N`), else the group's only meeting
 * running or starting within 12 hours (`implicit`: the reply names it so a wrong guess can be
 * corrected); several such meetings are refused with E_MEETING_AMBIGUOUS, so nothing is filed
 * under the wrong one.
 */
export async function incidentMeeting(services: HandlerServices, conversationId: string, meetingId: number | null, now: Date): Promise<{ meeting: MeetingRow | null; implicit: boolean }> {
  if (meetingId === null) {
    const meeting = await services.meetings.current(conversationId, now);
    return { meeting, implicit: meeting !== null };
  }
  const meeting = await services.meetings.get(meetingId);
  if (!meeting) throw new UserError('E_INCIDENT_MEETING_NOT_FOUND', { id: meetingId });
  if (meeting.status === 'cancelled') throw new UserError('E_INCIDENT_MEETING_CANCELLED', { id: meetingId });
  return { meeting, implicit: false };
}

/** `（已关联会议 #4「晚宴」；如不对…）` after an implicitly chosen meeting. */
export function implicitNote(t: Translator, found: { meeting: MeetingRow | null; implicit: boolean }): string {
  return found.implicit && found.meeting ? t.t('meeting.implicitNote', { id: found.meeting.id, title: found.meeting.title }) : '';
}
