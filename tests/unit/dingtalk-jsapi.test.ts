/**
 * DingTalk's `dd.config` signature: SHA-1 over `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`.
 * DingTalk's JSAPI authentication guide gives example inputs (noncestr Zn4zmLFKD0wzilzM, the ticket
 * mS5k98…, timestamp 1414588745, url http://open.dingtalk.com) but no resulting signature: the
 * expected values below are computed from the formula with Node's SHA-1 (and the `//open…` one
 * also appears as the expected value in an independent implementation's test of the same example).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { dingTalkJsapiSign, dingTalkSignedUrl } from '../../src/platforms/dingtalk/jsapi.js';

const TICKET = 'mS5k98fdkdgDKxkXGEs8LORVREiweeWETE40P37wkidkfksDSKDJFD5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcKIDU8l';

describe('DingTalk JSAPI signature', () => {
  it("signs DingTalk's documented example inputs", () => {
    expect(dingTalkJsapiSign(TICKET, 'Zn4zmLFKD0wzilzM', 1414588745, 'http://open.dingtalk.com')).toBe('10de2b0a6763ec3685a50272b5b0eb2848098dc2');
    expect(dingTalkJsapiSign(TICKET, 'Zn4zmLFKD0wzilzM', '1414588745', '//open.dingtalk.com')).toBe('653ecdeadf70a480b1aefa687c894a2d8ff9a8bb');
  });

  it('signs the page URL without its fragment, the query decoded once', () => {
    expect(dingTalkSignedUrl('https://huiwu.example/checkin/m1/l2#scan')).toBe('https://huiwu.example/checkin/m1/l2');
    expect(dingTalkSignedUrl('https://abc.com/p?url=http%3A%2F%2Fabc.com%2Fx&a=1')).toBe('https://abc.com/p?url=http://abc.com/x&a=1');
    expect(dingTalkSignedUrl('https://abc.com/p?bad=%E0%A4%A')).toBe('https://abc.com/p?bad=%E0%A4%A');
    expect(dingTalkJsapiSign(TICKET, 'n', 1, 'http://open.dingtalk.com#x')).toBe(dingTalkJsapiSign(TICKET, 'n', 1, 'http://open.dingtalk.com'));
    expect(dingTalkJsapiSign(TICKET, 'n', 1, 'http://open.dingtalk.com/a')).not.toBe(dingTalkJsapiSign(TICKET, 'n', 1, 'http://open.dingtalk.com/b'));
  });

  it('needs the AgentId and CorpId together', () => {
    expect(loadConfig({ DINGTALK_AGENT_ID: '3012345678', DINGTALK_CORP_ID: 'ding0123abcd' })).toMatchObject({ DINGTALK_AGENT_ID: '3012345678', DINGTALK_CORP_ID: 'ding0123abcd' });
    expect(() => loadConfig({ DINGTALK_AGENT_ID: '3012345678' })).toThrow(ConfigError);
    expect(() => loadConfig({ DINGTALK_CORP_ID: 'ding0123abcd' })).toThrow(/DINGTALK_AGENT_ID missing/);
    expect(() => loadConfig({ DINGTALK_AGENT_ID: 'app-1', DINGTALK_CORP_ID: 'ding0123abcd' })).toThrow(/DINGTALK_AGENT_ID=/);
  });
});
