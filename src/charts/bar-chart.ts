/**
 * Bar charts rendered on the server: ECharts to SVG (SSR, no browser), resvg to PNG with a CJK font
 * (Debian's fonts-wqy-microhei or fonts-noto-cjk, installed by `npm start` / `npm test`). Without
 * a CJK font every Chinese label would render as an empty box, so a missing font is an error.
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

export const CJK_FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
];

export function findCjkFont(configured?: string): string | null {
  if (configured) return existsSync(configured) ? configured : null;
  return CJK_FONT_CANDIDATES.find((f) => existsSync(f)) ?? null;
}

export interface BarChartInput {
  title: string;
  labels: string[];
  values: number[];
  /** A horizontal target line, e.g. 4.5. */
  target?: { value: number; label: string };
  max?: number;
  width?: number;
  height?: number;
}

export function barChartSvg(input: BarChartInput): string {
  const width = input.width ?? 720;
  const height = input.height ?? 400;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: 'WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif' },
      title: { text: input.title, left: 'center', top: 12, textStyle: { fontSize: 18 } },
      grid: { left: 48, right: 32, top: 64, bottom: 48 },
      xAxis: { type: 'category', data: input.labels, axisLabel: { fontSize: 13 } },
      yAxis: { type: 'value', min: 0, max: input.max ?? 5, interval: 1 },
      series: [
        {
          type: 'bar',
          data: input.values.map((v) => ({
            value: Math.round(v * 100) / 100,
            itemStyle: { color: input.target && v < input.target.value ? '#e8684a' : '#5b8ff9' },
          })),
          barMaxWidth: 56,
          label: { show: true, position: 'top', fontSize: 13 },
          markLine: input.target
            ? { symbol: 'none', data: [{ yAxis: input.target.value, label: { formatter: input.target.label, position: 'insideEndTop' } }], lineStyle: { type: 'dashed', color: '#999' } }
            : undefined,
        },
      ],
    });
    return chart.renderToSVGString();
  } finally {
    // Without dispose() a timer keeps the process alive.
    chart.dispose();
  }
}

export function svgToPng(svg: string, fontFile?: string): Buffer {
  const font = findCjkFont(fontFile);
  if (!font) throw new Error(`no CJK font found (tried ${CJK_FONT_CANDIDATES.join(', ')}): install fonts-wqy-microhei`);
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    font: { fontFiles: [font], loadSystemFonts: false, defaultFontFamily: 'WenQuanYi Micro Hei' },
  });
  return Buffer.from(resvg.render().asPng());
}

export function barChartPng(input: BarChartInput, fontFile?: string): Buffer {
  return svgToPng(barChartSvg(input), fontFile);
}
