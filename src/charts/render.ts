/**
 * Server-side rendering of a chart option (`chart-spec.ts`): ECharts to SVG (SSR, no browser),
 * resvg to PNG with a CJK font (Debian's fonts-wqy-microhei or fonts-noto-cjk, installed by
 * `npm start` / `npm test`). Without a CJK font every Chinese label would render as an empty box,
 * so a missing font is an error.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { echarts } from './echarts.js';
import type { ChartOption } from './chart-spec.js';

export const CJK_FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
];

export function findCjkFont(configured?: string): string | null {
  if (configured) return existsSync(configured) ? configured : null;
  return CJK_FONT_CANDIDATES.find((f) => existsSync(f)) ?? null;
}

export interface ChartSize {
  width?: number;
  height?: number;
}

export function chartSvg(option: ChartOption, size: ChartSize = {}): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width: size.width ?? 720, height: size.height ?? 400 });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    // Without dispose() a timer keeps the process alive.
    chart.dispose();
  }
}

export function svgToPng(svg: string, fontFile?: string): Buffer {
  const font = findCjkFont(fontFile);
  if (!font) throw new Error(`no CJK font found (tried ${CJK_FONT_CANDIDATES.join(', ')}): install fonts-wqy-microhei`);
  // The native renderer is loaded on the first chart, not at every start.
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    font: { fontFiles: [font], loadSystemFonts: false, defaultFontFamily: 'WenQuanYi Micro Hei' },
  });
  return Buffer.from(resvg.render().asPng());
}

/** The PNG posted in chat for a chart option. */
export function chartPng(option: ChartOption, size: ChartSize = {}, fontFile?: string): Buffer {
  return svgToPng(chartSvg(option, size), fontFile);
}
