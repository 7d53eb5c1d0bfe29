/** Lane rules, surname-only names and the slow-lane forecast, as pure functions. */
import { describe, expect, it } from 'vitest';
import { laneAdmits, surnameOnly } from '../../src/services/door.js';
import { slowLanes, type DoorForecast } from '../../src/services/lane-rates.js';

describe('lane rules', () => {
  it('an open lane admits everyone invited, a restricted one only its assigned people', () => {
    const general = { name: '普通', open: true };
    const vip = { name: '贵宾', open: false };
    expect(laneAdmits(general, { laneName: null })).toBe(true);
    expect(laneAdmits(general, { laneName: '贵宾' })).toBe(true);
    expect(laneAdmits(vip, { laneName: '贵宾' })).toBe(true);
    expect(laneAdmits(vip, { laneName: null })).toBe(false);
    expect(laneAdmits(vip, { laneName: '团体' })).toBe(false);
  });

  it('shows the surname only', () => {
    expect(surnameOnly('张伟')).toBe('张*');
    expect(surnameOnly('欧阳娜娜')).toBe('欧***');
    expect(surnameOnly('Wang Fang')).toBe('Fang');
    expect(surnameOnly('李')).toBe('李');
  });
});

describe('slow lanes', () => {
  const now = new Date('2026-05-01T08:50:00Z');
  const start = new Date('2026-05-01T09:00:00Z');
  const old = new Date(now.getTime() - 6 * 60_000);
  const lane = (name: string, perMinute: number, since: Date | null = old) => ({ lane: name, perMinute, recent: perMinute * 5, total: 50, since });
  const forecast = (lanes: DoorForecast['lanes'], waiting: number): DoorForecast => {
    const perMinute = lanes.reduce((s, l) => s + l.perMinute, 0);
    return { lanes, waiting, perMinute, minutesToClear: perMinute > 0 ? Math.ceil(waiting / perMinute) : null };
  };

  it('warns about a lane below target while the people waiting would still queue at the start', () => {
    expect(slowLanes(forecast([lane('普通', 12), lane('贵宾', 25)], 600), 20, now, start).map((l) => l.lane)).toEqual(['普通']);
  });

  it('says nothing when the backlog clears before the start, nobody waits, or the lane is new', () => {
    expect(slowLanes(forecast([lane('普通', 12)], 100), 20, now, start)).toEqual([]);
    expect(slowLanes(forecast([lane('普通', 12)], 0), 20, now, start)).toEqual([]);
    expect(slowLanes(forecast([lane('普通', 12, new Date(now.getTime() - 60_000))], 600), 20, now, start)).toEqual([]);
    expect(slowLanes(forecast([lane('普通', 25)], 600), 20, now, start)).toEqual([]);
  });
});
