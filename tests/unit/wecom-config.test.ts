import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { wecomSettings } from '../../src/platforms/wecom/settings.js';

const APP = { WECOM_CORP_ID: 'wwcorp', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 's', WECOM_TOKEN: 'QDG6eK', WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };

describe('WeCom configuration', () => {
  it('is off by default, with production hosts as defaults', () => {
    const c = loadConfig({});
    expect(wecomSettings(c)).toBeNull();
    expect(c.WECOM_API_BASE).toBe('https://qyapi.weixin.qq.com');
    expect(c.WECOM_BOT_WS_URL).toBe('wss://openws.work.weixin.qq.com');
  });

  it('turns callback mode on with all five app variables, and bot mode with both bot variables', () => {
    expect(wecomSettings(loadConfig(APP))).toMatchObject({ app: { corpId: 'wwcorp', agentId: 1000002, maxAgeSeconds: 300 }, sendRatePerSecond: 20 });
    expect(wecomSettings(loadConfig({ WECOM_BOT_ID: 'b', WECOM_BOT_SECRET: 's' }))).toMatchObject({ bot: { botId: 'b', wsUrl: 'wss://openws.work.weixin.qq.com' } });
    expect(wecomSettings(loadConfig({ WECOM_BOT_ID: 'b', WECOM_BOT_SECRET: 's' }))!.app).toBeUndefined();
  });

  it('fails naming the missing variables when only some of a group are set', () => {
    const { WECOM_TOKEN: _t, WECOM_SECRET: _s, ...partial } = APP;
    expect(() => loadConfig(partial)).toThrow(ConfigError);
    expect(() => loadConfig(partial)).toThrow(/WECOM_SECRET, WECOM_TOKEN missing/);
    expect(() => loadConfig({ WECOM_BOT_ID: 'b' })).toThrow(/WECOM_BOT_SECRET missing/);
  });

  it.each([
    ['WECOM_ENCODING_AES_KEY', 'tooshort', /exactly 43 letters and digits/],
    ['WECOM_AGENT_ID', 'abc', /WECOM_AGENT_ID="abc" is invalid/],
    ['WECOM_TOKEN', 'has space', /WECOM_TOKEN="has space" is invalid/],
    ['WECOM_API_BASE', 'ftp://x', /WECOM_API_BASE="ftp:\/\/x" is invalid/],
    ['WECOM_BOT_WS_URL', 'http://x', /WECOM_BOT_WS_URL="http:\/\/x" is invalid/],
  ])('rejects %s=%s', (key, value, message) => {
    expect(() => loadConfig({ ...APP, [key]: value })).toThrow(message);
  });
});
