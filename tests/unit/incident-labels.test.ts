/** Incident words and labels: the stored type values stay what older rows hold; any word is safe to look up. */
import { describe, expect, it } from 'vitest';
import { INCIDENT_TYPES, isComplaint, levelOfWord, storedType, typeCode, typeOfWord } from '../../cards/incident-labels.js';
import { translator } from '../../src/i18n/translator.js';
import { formatDuration } from '../../src/services/incidents.js';

describe('incident labels', () => {
  it('stores the same type values as before the catalogues, and reads them back', () => {
    expect(INCIDENT_TYPES.map(storedType)).toEqual(['设备', '安全', '医疗', '客诉', '后勤', '其他']);
    for (const type of INCIDENT_TYPES) expect(typeCode(storedType(type))).toBe(type);
    expect(isComplaint('客诉')).toBe(true);
    expect(isComplaint('设备')).toBe(false);
  });

  it('knows every type and level word in both languages', () => {
    expect(['设备', '故障', 'equipment', 'Equipment'].map(typeOfWord)).toEqual(['equipment', 'equipment', 'equipment', 'equipment']);
    expect(['投诉', 'complaint'].map(typeOfWord)).toEqual(['complaint', 'complaint']);
    expect(['P1', '一级', '紧急', 'urgent', 'level1', 'high', '低'].map(levelOfWord)).toEqual([1, 1, 1, 1, 1, 2, 4]);
  });

  it('words durations per language', () => {
    const zh = translator('zh-CN', 'Asia/Shanghai');
    const en = translator('en', 'Asia/Shanghai');
    expect([5_000, 65_000, 7_380_000].map((ms) => formatDuration(zh, ms))).toEqual(['5秒', '1分05秒', '2小时3分']);
    expect([5_000, 65_000, 7_380_000].map((ms) => formatDuration(en, ms))).toEqual(['5s', '1m 05s', '2h 3m']);
  });

  it('finds nothing for the names of Object.prototype members', () => {
    for (const word of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
      expect(typeOfWord(word), word).toBeNull();
      expect(levelOfWord(word), word).toBeNull();
      expect(typeCode(word), word).toBe('other');
    }
  });
});

