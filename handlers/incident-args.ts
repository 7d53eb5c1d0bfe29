/** Parsing of `上报` arguments (forgiving order, defaults) and of incident ids. */
import { INCIDENT_TYPES, type IncidentType } from '../cards/incident-cards.js';
import { takeShortId } from './args.js';
import { type CommandContext, UsageError, UserError } from '../src/router/types.js';
import type { IncidentRow } from '../src/services/incidents.js';

const TYPE_WORDS: Record<string, IncidentType> = {
  设备: '设备', 设备故障: '设备', 故障: '设备', equipment: '设备',
  安全: '安全', 安保: '安全', security: '安全',
  医疗: '医疗', 急救: '医疗', medical: '医疗',
  客诉: '客诉', 投诉: '客诉', complaint: '客诉',
  后勤: '后勤', logistics: '后勤',
  其他: '其他', other: '其他',
};

const SEVERITY_WORDS: Record<string, number> = {
  p1: 1, p2: 2, p3: 3, p4: 4,
  一级: 1, 二级: 2, 三级: 3, 四级: 4, '1级': 1, '2级': 2, '3级': 3, '4级': 4,
  紧急: 1, 高: 2, 中: 3, 低: 4, urgent: 1, high: 2, medium: 3, low: 4,
};

export const DEFAULT_SEVERITY = 3;

export function incidentType(word: string | undefined): IncidentType | null {
  return TYPE_WORDS[(word ?? '').toLowerCase()] ?? null;
}

export function severityOf(word: string | undefined): number | null {
  return SEVERITY_WORDS[(word ?? '').toLowerCase()] ?? null;
}

export interface ReportSpec {
  type: IncidentType;
  severity: number;
  location: string | null;
  description: string;
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
    const t = incidentType(token);
    const s = severityOf(token);
    const place = /^(?:地点|位置|location)[:：]?(.*)$/i.exec(token);
    if (t && !type) type = t;
    else if (s && !severity) severity = s;
    else if (place && !location) location = place[1] || tokens[++i] || null;
    else rest.push(token);
  }
  if (!location && rest.length >= 2) location = rest.shift()!;
  const description = rest.join(' ').trim();
  if (!description) throw new UsageError('缺少事件描述');
  if (description.length > 200) throw new UsageError('事件描述最多 200 字');
  return { type: type ?? '其他', severity: severity ?? DEFAULT_SEVERITY, location, description };
}

export function validTypeList(): string {
  return INCIDENT_TYPES.join(' / ');
}

/** Splits `#12 rest` into the incident id and the rest. */
export function takeIncidentId(args: string, example: string): { id: number; rest: string } {
  return takeShortId(args, '事件', example);
}

export async function loadIncident(ctx: Pick<CommandContext, 'services'>, id: number): Promise<IncidentRow> {
  const incident = await ctx.services.incidents.get(id);
  if (!incident) throw new UserError(`事件 #${id} 不存在`);
  return incident;
}
