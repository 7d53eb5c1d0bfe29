import { describe, expect, it } from 'vitest';
import { cardIdOf, decodeCardCallback, decodeRobotMessage, outTrackIdOf } from '../../src/platforms/dingtalk/decode.js';
import type { RobotMessage } from '../../src/platforms/dingtalk/raw-types.js';

const base: RobotMessage = {
  msgId: 'msgA1',
  msgtype: 'text',
  text: { content: ' 提醒 @赵磊 1秒后 准备签到表' },
  conversationId: 'cidG==',
  conversationType: '2',
  conversationTitle: '筹备群',
  senderStaffId: 'wangfang',
  senderNick: '王芳',
  chatbotUserId: '$bot',
  atUsers: [{ dingtalkId: '$bot' }, { dingtalkId: '$zl', staffId: 'zhaolei' }],
  isInAtList: true,
  sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=x',
  sessionWebhookExpiredTime: 1_700_005_400_000,
  createAt: 1_700_000_000_000,
};

describe('DingTalk decode', () => {
  it('turns a group @-message into an event addressed to the bot, with mentions paired to @names', () => {
    const d = decodeRobotMessage(base, '会务助手', new Date())!;
    expect(d.event).toMatchObject({
      platform: 'dingtalk',
      eventId: 'msgA1',
      conversationId: 'dingtalk:cidG==',
      conversationType: 'group',
      userId: 'dingtalk:wangfang',
      text: '@会务助手 提醒 @赵磊 1秒后 准备签到表',
      receivedAt: new Date(1_700_000_000_000).toISOString(),
    });
    expect(d.mentioned).toEqual([{ staffId: 'zhaolei', nameInText: '赵磊' }]);
    expect(d.conversation).toEqual({ externalId: 'cidG==', type: 'group', name: '筹备群' });
    expect(d.webhook).toEqual({ url: base.sessionWebhook, expiresAt: base.sessionWebhookExpiredTime });
  });

  it('keeps a one-to-one message as typed', () => {
    const d = decodeRobotMessage({ ...base, conversationType: '1', text: { content: '帮助 ' }, atUsers: [] }, '会务助手', new Date())!;
    expect(d.event.text).toBe('帮助');
    expect(d.event.conversationType).toBe('direct');
  });

  it('reads rich text with its first picture, and pictures and files as files to fetch by downloadCode', () => {
    const rich = decodeRobotMessage({ ...base, msgtype: 'richText', content: { richText: [{ text: '帮助' }, { type: 'picture', downloadCode: 'x' }] } }, '会务助手', new Date())?.event;
    expect(rich?.text).toBe('@会务助手 帮助');
    expect(rich?.file).toMatchObject({ kind: 'image', remote: JSON.stringify({ downloadCode: 'x' }) });
    const picture = decodeRobotMessage({ ...base, msgtype: 'picture', content: { downloadCode: 'x' } }, '会务助手', new Date())?.event;
    expect(picture?.file).toMatchObject({ kind: 'image', size: 0, remote: JSON.stringify({ downloadCode: 'x' }) });
    const file = decodeRobotMessage({ ...base, msgtype: 'file', content: { downloadCode: 'y', fileName: '议程.pdf' } }, '会务助手', new Date())?.event;
    expect(file?.file).toMatchObject({ kind: 'file', name: '议程.pdf' });
    expect(decodeRobotMessage({ ...base, msgtype: 'picture', content: {} }, '会务助手', new Date())).toBeNull();
  });

  it('decodes a card click with its action and other parameters', () => {
    const event = decodeCardCallback(
      { outTrackId: 'card-rem-3', userId: 'zhaolei', content: JSON.stringify({ cardPrivateData: { actionIds: ['b'], params: { action: 'reminder.ack', note: 'ok', n: 2 } } }) },
      'mid-1',
      new Date(0),
    );
    expect(event).toMatchObject({ eventId: 'card-mid-1', cardId: 'card-rem-3', userId: 'dingtalk:zhaolei', action: 'reminder.ack', values: { note: 'ok', n: '2' } });
    expect(decodeCardCallback({ outTrackId: 'x', userId: 'u', content: 'not json' }, 'm', new Date())).toBeNull();
  });

  it('maps card ids to outTrackIds and back', () => {
    for (const id of ['card-rem-3-reminder-3-once', 'reply/中文 id', 'b64.looks-encoded']) expect(cardIdOf(outTrackIdOf(id))).toBe(id);
    expect(outTrackIdOf('card-rem-3')).toBe('card-rem-3');
  });
});
