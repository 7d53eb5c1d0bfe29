import { describe, expect, it } from 'vitest';
import { botCardEvent, botCardValues, botMessageContent, cardIdOf, decodeCallback, mentionTokens, parseCallbackXml, taskIdOf } from '../../src/platforms/wecom/decode.js';
import { WecomCallbackDriver } from '../fakes/wecom/callback-driver.js';

const driver = new WecomCallbackDriver('http://unused', { token: 't', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wwcorp' });
const now = new Date('2026-03-02T08:00:00Z');

describe('WeCom decode', () => {
  it('maps a DM text to a message event keyed by MsgId', () => {
    const decoded = decodeCallback(parseCallbackXml(driver.textXml('wangfang', ' 帮助 ', '9223372036854775807', 1700000000)), now);
    expect(decoded).toEqual({
      fromUser: 'wangfang',
      event: {
        kind: 'message',
        platform: 'wecom',
        eventId: 'app-msg-9223372036854775807',
        conversationId: 'wecom:dm:wangfang',
        conversationType: 'direct',
        userId: 'wecom:wangfang',
        text: ' 帮助 ',
        mentions: [],
        receivedAt: now.toISOString(),
      },
    });
  });

  it('maps template_card_event to the card action of the right card, with the response code and selections', () => {
    const xml = driver.cardEventXml({ from: 'zhaolei', taskId: 'rem-3-once@2', eventKey: 'meeting.reply', responseCode: 'RC1', createTime: 1700000001, selected: { meal: ['veg'], days: ['d1', 'd2'] } });
    const decoded = decodeCallback(parseCallbackXml(xml), now)!;
    expect(decoded.responseCode).toBe('RC1');
    expect(decoded.event).toMatchObject({ kind: 'card-action', eventId: 'app-evt-zhaolei-1700000001-rem-3-once@2-meeting.reply', cardId: 'rem-3-once', action: 'meeting.reply', values: { meal: 'veg', days: 'd1,d2' } });
  });

  it('keeps two clicks by one person in the same second apart, and a WeCom retry together', () => {
    const click = (taskId: string, eventKey: string) =>
      decodeCallback(parseCallbackXml(driver.cardEventXml({ from: 'zhaolei', taskId, eventKey, responseCode: 'RC', createTime: 1700000005 })), now)!.event.eventId;
    const first = click('inv-m7-a1', 'rsvp.yes');
    expect(click('inv-m7-a1', 'rsvp.yes')).toBe(first);
    expect(click('rem-3-once', 'reminder.ack')).not.toBe(first);
    expect(click('inv-m7-a1', 'rsvp.no')).not.toBe(first);
    // A task id outside the job-id alphabet is hashed into a short, stable id.
    const odd = click(`x-${'é'.repeat(60)}`, 'k');
    expect(odd).toMatch(/^app-evt-zhaolei-1700000005-[0-9a-f]{32}$/);
    expect(click(`x-${'é'.repeat(60)}`, 'k')).toBe(odd);
  });

  it('ignores message types it does not handle', () => {
    const xml = '<xml><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>enter_agent</Event></xml>';
    expect(decodeCallback(parseCallbackXml(xml), now)).toBeNull();
  });

  it('turns card ids into valid task ids and back', () => {
    for (const id of ['rem-1-reminder-1-once', 'rem-2-2026-03-02T08.00', 'x-looks-encoded', 'card:with:colons']) {
      const task = taskIdOf(id, 3);
      expect(task).toMatch(/^[A-Za-z0-9_\-@]{1,128}$/);
      expect(cardIdOf(task)).toBe(id);
      expect(cardIdOf(taskIdOf(id))).toBe(id);
    }
  });

  it('reads bot card events nested (server) or flat (SDK types)', () => {
    const nested = { msgid: 'm', msgtype: 'event', event: { eventtype: 'template_card_event', template_card_event: { task_id: 't1', event_key: 'k', selected_items: { selected_item: [{ question_key: 'q', option_ids: { option_id: ['a', 'b'] } }] } } } };
    const flat = { msgid: 'm', msgtype: 'event', event: { eventtype: 'template_card_event', task_id: 't2', event_key: 'k2' } };
    expect(botCardEvent(nested)).toMatchObject({ task_id: 't1', event_key: 'k' });
    expect(botCardValues(botCardEvent(nested)!)).toEqual({ q: 'a,b' });
    expect(botCardEvent(flat)).toMatchObject({ task_id: 't2', event_key: 'k2' });
  });

  it('finds @words in bot text', () => {
    expect(mentionTokens('@会务助手 提醒 @zhaolei 1秒后 @赵磊 x')).toEqual(['会务助手', 'zhaolei', '赵磊']);
  });

  it('maps image and file callbacks to files fetched later by MediaId, with no text', () => {
    const img = decodeCallback(parseCallbackXml(driver.mediaXml('wangfang', 'image', 'MEDIA1', '42')), now)!.event;
    expect(img).toMatchObject({ kind: 'message', eventId: 'app-msg-42', text: '', file: { kind: 'image', size: 0, remote: JSON.stringify({ via: 'app', mediaId: 'MEDIA1' }) } });
    const file = decodeCallback(parseCallbackXml(driver.mediaXml('wangfang', 'file', 'MEDIA2', '43', '议程.pdf')), now)!.event;
    expect(file).toMatchObject({ file: { kind: 'file', name: '议程.pdf' } });
  });

  it('reads bot images, files and mixed text with an image', () => {
    const media = { url: 'https://x/y', aeskey: 'k' };
    expect(botMessageContent({ msgid: 'm1', msgtype: 'image', image: media })).toMatchObject({ text: '', file: { kind: 'image', remote: JSON.stringify({ via: 'bot', ...media }) } });
    expect(botMessageContent({ msgid: 'm2', msgtype: 'file', file: { ...media, filename: 'a.pdf' } })?.file).toMatchObject({ kind: 'file', name: 'a.pdf' });
    expect(botMessageContent({ msgid: 'm3', msgtype: 'mixed', mixed: { msg_item: [{ msgtype: 'text', text: { content: '@会务助手 会议 附件 #1' } }, { msgtype: 'image', image: media }] } })).toMatchObject({ text: '@会务助手 会议 附件 #1', file: { kind: 'image' } });
    expect(botMessageContent({ msgid: 'm4', msgtype: 'voice' })).toBeNull();
  });
});
