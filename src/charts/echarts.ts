/**
 * ECharts, loaded on the first chart instead of at start: importing it costs seconds on a busy
 * machine, and every start (also a restart after a crash, with reminders due) paid for it
 * although most runs draw no chart. The CommonJS bundle is required synchronously, so the
 * renderers stay synchronous.
 */
import { createRequire } from 'node:module';
import type * as Echarts from 'echarts';

let loaded: typeof Echarts | undefined;

export function echarts(): typeof Echarts {
  loaded ??= createRequire(import.meta.url)('echarts') as typeof Echarts;
  return loaded;
}
