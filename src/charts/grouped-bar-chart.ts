/** Grouped bar charts (e.g. budget vs actual per category): ECharts SSR to SVG, then PNG with the CJK font (bar-chart.ts). */
import { echarts } from './echarts.js';
import { svgToPng } from './bar-chart.js';

export interface GroupedBarChartInput {
  title: string;
  labels: string[];
  series: Array<{ name: string; values: number[]; color: string }>;
  width?: number;
  height?: number;
}

export function groupedBarChartSvg(input: GroupedBarChartInput): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width: input.width ?? 760, height: input.height ?? 420 });
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: 'WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif' },
      title: { text: input.title, left: 'center', top: 12, textStyle: { fontSize: 18 } },
      legend: { top: 44, data: input.series.map((s) => s.name) },
      grid: { left: 72, right: 32, top: 84, bottom: 48 },
      xAxis: { type: 'category', data: input.labels, axisLabel: { fontSize: 13 } },
      yAxis: { type: 'value', min: 0 },
      series: input.series.map((s) => ({
        name: s.name,
        type: 'bar',
        data: s.values.map((v) => Math.round(v * 100) / 100),
        itemStyle: { color: s.color },
        barMaxWidth: 40,
        label: { show: true, position: 'top', fontSize: 11 },
      })),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export function groupedBarChartPng(input: GroupedBarChartInput, fontFile?: string): Buffer {
  return svgToPng(groupedBarChartSvg(input), fontFile);
}
