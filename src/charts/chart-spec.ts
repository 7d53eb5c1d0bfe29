/**
 * Every chart Huiwu draws, defined once as an ECharts option: the console's browser draws it with
 * ECharts (the option travels as JSON, so nothing here may be a function), the server renders the
 * same option to a PNG posted in chat (`render.ts`). Texts come in already worded by the caller.
 */

/** An ECharts option as plain JSON. */
export type ChartOption = Record<string, unknown>;

const FONT = 'WenQuanYi Micro Hei, Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif';
const BLUE = '#5b8ff9';
const RED = '#e8684a';
const GREEN = '#5ad8a6';
const GREY = '#999';

interface Target {
  value: number;
  label: string;
}

function base(title: string): ChartOption {
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    title: { text: title, left: 'center', top: 8, textStyle: { fontSize: 16 } },
    grid: { left: 48, right: 32, top: 56, bottom: 48, containLabel: true },
    tooltip: { trigger: 'axis' },
  };
}

const targetLine = (target: Target) => ({
  symbol: 'none',
  silent: true,
  data: [{ yAxis: target.value, label: { formatter: target.label, position: 'insideEndTop' } }],
  lineStyle: { type: 'dashed', color: GREY },
});

export interface BarChartInput {
  title: string;
  labels: string[];
  values: number[];
  /** A horizontal target line, e.g. 4.5; bars below it are red. */
  target?: Target;
  max?: number;
}

/** Scores per dimension (survey results, the console's satisfaction chart): 0..5 by default. */
export function scoreBarsOption(input: BarChartInput): ChartOption {
  return {
    ...base(input.title),
    xAxis: { type: 'category', data: input.labels, axisLabel: { fontSize: 13, interval: 0 } },
    yAxis: { type: 'value', min: 0, max: input.max ?? 5, interval: 1 },
    series: [
      {
        type: 'bar',
        data: input.values.map((v) => ({ value: Math.round(v * 100) / 100, itemStyle: { color: input.target && v < input.target.value ? RED : BLUE } })),
        barMaxWidth: 56,
        label: { show: true, position: 'top', fontSize: 13 },
        ...(input.target ? { markLine: targetLine(input.target) } : {}),
      },
    ],
  };
}

export interface ArrivalsInput {
  title: string;
  /** Slot start times as shown (`09:05`). */
  labels: string[];
  counts: number[];
  /** The target per slot (20/min × 5 min), with its wording. */
  target: Target;
}

/** Arrivals per 5 minutes against the check-in target. */
export function arrivalsOption(input: ArrivalsInput): ChartOption {
  const top = Math.max(input.target.value, ...input.counts);
  return {
    ...base(input.title),
    xAxis: { type: 'category', data: input.labels },
    yAxis: { type: 'value', min: 0, max: Math.ceil((top * 1.15) / 10) * 10 || 10, minInterval: 1 },
    series: [
      {
        type: 'bar',
        data: input.counts.map((value) => ({ value, itemStyle: { color: value >= input.target.value ? GREEN : BLUE } })),
        barMaxWidth: 32,
        markLine: targetLine(input.target),
      },
    ],
  };
}

export interface FunnelInput {
  title: string;
  stages: Array<{ name: string; value: number }>;
}

/** Invited → answered → attending → arrived. */
export function funnelOption(input: FunnelInput): ChartOption {
  const max = Math.max(1, ...input.stages.map((s) => s.value));
  return {
    ...base(input.title),
    tooltip: { trigger: 'item' },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: '10%',
        width: '80%',
        top: 56,
        bottom: 16,
        min: 0,
        max,
        minSize: '8%',
        label: { show: true, position: 'inside', formatter: '{b} {c}', fontSize: 13, color: '#fff' },
        data: input.stages.map((s, i) => ({ name: s.name, value: s.value, itemStyle: { color: [BLUE, '#61ddaa', GREEN, '#f6bd16'][i % 4] } })),
      },
    ],
  };
}

export interface IncidentsInput {
  title: string;
  labels: string[];
  reported: number[];
  open: number[];
  names: { reported: string; open: string };
}

/** Incidents reported per hour, and how many were still open at the hour's end. */
export function incidentsOption(input: IncidentsInput): ChartOption {
  return {
    ...base(input.title),
    legend: { bottom: 0, data: [input.names.reported, input.names.open] },
    xAxis: { type: 'category', data: input.labels },
    yAxis: { type: 'value', min: 0, minInterval: 1 },
    series: [
      { type: 'bar', name: input.names.reported, data: input.reported, itemStyle: { color: BLUE }, barMaxWidth: 32 },
      { type: 'line', name: input.names.open, data: input.open, itemStyle: { color: RED }, step: 'end' },
    ],
  };
}
