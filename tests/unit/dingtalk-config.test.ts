import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const APP = { DINGTALK_CLIENT_ID: 'dingabc', DINGTALK_CLIENT_SECRET: 's', DINGTALK_ROBOT_CODE: 'dingabc', DINGTALK_CARD_TEMPLATE_ID: 'tpl.schema' };

describe('DingTalk configuration', () => {
  it('is off by default, with the documented defaults', () => {
    const config = loadConfig({});
    expect(config.DINGTALK_CLIENT_ID).toBeUndefined();
    expect(config.DINGTALK_API_BASE).toBe('https://api.dingtalk.com');
    expect(config.DINGTALK_SESSION_WEBHOOK_HOSTS).toEqual(['oapi.dingtalk.com']);
    expect(config.DINGTALK_SEND_RATE).toBe(20);
    expect(config.DINGTALK_DING_REMIND_TYPE).toBe(1);
  });

  it('accepts the four app variables together', () => {
    const config = loadConfig({ ...APP, DINGTALK_SESSION_WEBHOOK_HOSTS: 'oapi.dingtalk.com,127.0.0.1', DINGTALK_DING_REMIND_TYPE: '3' });
    expect(config.DINGTALK_ROBOT_CODE).toBe('dingabc');
    expect(config.DINGTALK_SESSION_WEBHOOK_HOSTS).toEqual(['oapi.dingtalk.com', '127.0.0.1']);
    expect(config.DINGTALK_DING_REMIND_TYPE).toBe(3);
  });

  it('names the missing variables when only some are set', () => {
    const { DINGTALK_ROBOT_CODE: _r, DINGTALK_CARD_TEMPLATE_ID: _t, ...partial } = APP;
    expect(() => loadConfig(partial)).toThrow(ConfigError);
    expect(() => loadConfig(partial)).toThrow(/DingTalk needs .*DINGTALK_ROBOT_CODE, DINGTALK_CARD_TEMPLATE_ID missing/);
  });

  it.each([
    ['DINGTALK_API_BASE', 'api.dingtalk.com'],
    ['DINGTALK_SESSION_WEBHOOK_HOSTS', 'https://oapi.dingtalk.com'],
    ['DINGTALK_DING_REMIND_TYPE', '4'],
  ])('rejects %s=%s naming the variable', (key, value) => {
    expect(() => loadConfig({ ...APP, [key]: value })).toThrow(new RegExp(`${key}=`));
  });
});
