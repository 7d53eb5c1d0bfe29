/**
 * The score bar chart (survey results) as a PNG for chat: the option from `chart-spec.ts`, the
 * same one the console draws in the browser, rendered by `render.ts`.
 */
import { scoreBarsOption, type BarChartInput } from './chart-spec.js';
import { chartPng, chartSvg, type ChartSize } from './render.js';

export type { BarChartInput } from './chart-spec.js';
export { CJK_FONT_CANDIDATES, findCjkFont, svgToPng } from './render.js';

export function barChartSvg(input: BarChartInput & ChartSize): string {
  return chartSvg(scoreBarsOption(input), input);
}

export function barChartPng(input: BarChartInput & ChartSize, fontFile?: string): Buffer {
  return chartPng(scoreBarsOption(input), input, fontFile);
}
