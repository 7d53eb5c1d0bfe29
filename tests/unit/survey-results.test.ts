import { describe, expect, it } from 'vitest';
import { barChartPng, findCjkFont } from '../../src/charts/bar-chart.js';
import { computeResults } from '../../src/services/survey-results.js';

const DIMS = ['议程安排', '会务服务', '场地设施', '餐饮', '总体满意度'];

describe('computeResults', () => {
  it('computes rate, averages, distributions and the target check from 总体满意度', () => {
    const r = computeResults(
      DIMS,
      [
        { ratings: [5, 5, 4, 3, 4], comment: '午餐排队太久', userId: null },
        { ratings: [4, 5, 4, 4, 4], comment: null, userId: null },
      ],
      4,
      4.5,
    );
    expect(r.responseRate).toBe(0.5);
    expect(r.dimensions.map((d) => d.average)).toEqual([4.5, 5, 4, 3.5, 4]);
    expect(r.dimensions[3]!.distribution).toEqual([0, 0, 1, 1, 0]);
    expect(r.overall).toBe(4);
    expect(r.belowTarget).toBe(true);
    expect(r.lowest.map((d) => d.name)).toEqual(['餐饮', '场地设施']);
    expect(r.comments).toEqual(['午餐排队太久']);
  });

  it('finds the overall dimension by its configured name in either language', () => {
    const r = computeResults(['Agenda', 'Overall satisfaction'], [{ ratings: [5, 3], comment: null, userId: null }], 1, 4.5);
    expect(r.overall).toBe(3);
    expect(r.overallName).toBe('Overall satisfaction');
    expect(computeResults(DIMS, [], 1, 4.5).overallName).toBe('总体满意度');
  });

  it('uses the mean of the dimensions when 总体满意度 is not asked, and handles no answers', () => {
    expect(computeResults(['甲', '乙'], [{ ratings: [5, 4], comment: null, userId: null }], 1, 4.5).overall).toBe(4.5);
    const empty = computeResults(DIMS, [], 3, 4.5);
    expect(empty.overall).toBeNull();
    expect(empty.belowTarget).toBe(false);
  });
});

describe('chart image', () => {
  it('has a CJK font, so Chinese labels do not render as boxes', () => {
    expect(findCjkFont(), 'install fonts-wqy-microhei (npm test does it as root)').not.toBeNull();
  });

  it('renders a PNG bar chart with Chinese labels', () => {
    const png = barChartPng({ title: '满意度', labels: DIMS, values: [4.5, 5, 4, 3.5, 4], target: { value: 4.5, label: '目标 4.5' } });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // A blank or box-only rendering is much smaller than a chart with five labelled bars.
    expect(png.length).toBeGreaterThan(8000);
  });
});
