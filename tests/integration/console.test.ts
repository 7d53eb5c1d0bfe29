/**
 * The organizer console end to end on the real app: the 控制台 command (links in a DM, refusals,
 * sign-out), who may see which meeting, the three actions with their permission checks and CSRF,
 * the live feed (a change made in chat reaches an open event stream within 2 s), and the
 * platforms' own sign-in (WeCom web OAuth, DingTalk 免登) against the fakes.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/server/redact.js';
import { startFakeDingTalk } from '../conversation/dingtalk-driver.js';
import type { FakeDingTalk } from '../fakes/dingtalk/fake-dingtalk.js';
import { startWecomWorld, type WecomWorld } from '../fakes/wecom/world.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import type { SimMessage } from '../support/sim-client.js';

const GROUP = 'prep-group';
const path = (link: string) => new URL(link).pathname;
const linkIn = (text: string | undefined) => /https?:\/\/\S+\/auth\/link\/[A-Za-z0-9_-]+/.exec(text ?? '')?.[0];

async function open(base: string, url: string, cookie?: string, accept = 'text/html') {
  return fetch(`${base}${url}`, { redirect: 'manual', headers: { accept, ...(cookie ? { cookie } : {}) } });
}

/** Opens a sign-in link; returns the session cookie and the CSRF token of the session. */
async function signIn(base: string, link: string): Promise<{ cookie: string; csrf: string }> {
  const res = await open(base, path(link));
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const me = (await (await open(base, '/auth/me', cookie, 'application/json')).json()) as { csrf: string };
  return { cookie, csrf: me.csrf };
}

describe('console on the simulator', () => {
  let t: TestApp;
  const logLines: string[] = [];
  let meetingA: number;
  let meetingB: number;
  const wang = { cookie: '', csrf: '' };
  const zhao = { cookie: '', csrf: '' };

  const cursor = async (conversation: string) => (await t.sim.messages(conversation)).at(-1)?.id ?? 0;
  const idOf = (m: SimMessage) => Number(/#(\d+)/.exec(m.text ?? '')![1]);
  const post = (session: { cookie: string; csrf: string }, url: string, body: unknown, csrf = session.csrf) =>
    fetch(`${t.baseUrl}${url}`, { method: 'POST', headers: { cookie: session.cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const linkFor = async (user: string) => (await t.sim.request<{ url: string }>('POST', `/sim/api/users/${user}/console-link`)).body.url;

  beforeAll(async () => {
    const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    t = await startTestApp({ HUIWU_GROUP_LIMIT_PER_MINUTE: '1000', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000' }, undefined, log);
    // 王芳 (organizer, admin) organizes A, starting in 10 minutes: check-in is open. 赵磊 organizes B.
    meetingA = idOf(await t.sim.ask(GROUP, 'wangfang', '会议 新建 年度大会 10分钟后 地点 主会场'));
    meetingB = idOf(await t.sim.ask(GROUP, 'zhaolei', '会议 新建 供应商会 明天上午10点 地点 二楼'));
    expect((await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${meetingA} @黄敏 @周婷 @吴军`)).text).toContain('已邀请');
    Object.assign(wang, await signIn(t.baseUrl, await linkFor('wangfang')));
    Object.assign(zhao, await signIn(t.baseUrl, await linkFor('zhaolei')));
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  describe('the 控制台 command', () => {
    it('answers a DM with a personal link that opens the console once', async () => {
      const reply = await t.sim.ask('dm-wangfang', 'wangfang', '控制台');
      expect(reply.text).toContain('控制台登录链接（10 分钟内有效，只能打开一次');
      const link = linkIn(reply.text)!;
      const first = await open(t.baseUrl, path(link));
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe('/console');
      expect((await open(t.baseUrl, path(link))).status).toBe(410);
    });

    it('from a group, sends the link to the DM and says so in the group', async () => {
      const dm = await cursor('dm-zhaolei');
      const reply = await t.sim.ask(GROUP, 'zhaolei', '控制台');
      expect(reply.text).toBe('✅ 控制台登录链接已私聊发给你（10 分钟内有效）');
      expect(linkIn(reply.text)).toBeUndefined();
      const sent = await t.sim.nextBotMessage('dm-zhaolei', dm, (m) => linkIn(m.text) !== undefined);
      expect((await open(t.baseUrl, path(linkIn(sent.text)!))).status).toBe(303);
    });

    it('refuses people who organize nothing, with the reason, and answers `console` in English', async () => {
      const refused = await t.sim.ask('dm-huangmin', 'huangmin', '控制台');
      expect(refused.text).toContain('控制台只对组织者和管理员开放');
      expect(linkIn(refused.text)).toBeUndefined();
      const english = await t.sim.ask('dm-zhaolei', 'zhaolei', 'console');
      expect(english.text).toContain('Your meeting console sign-in link (valid for 10 minutes, opens once');
    });

    it('`控制台 退出` ends every session of the person', async () => {
      const session = await signIn(t.baseUrl, await linkFor('zhaolei'));
      expect((await open(t.baseUrl, '/console', session.cookie)).status).toBe(200);
      const reply = await t.sim.ask('dm-zhaolei', 'zhaolei', '控制台 退出');
      expect(reply.text).toMatch(/已退出控制台：结束了 \d+ 个浏览器上的登录/);
      expect((await open(t.baseUrl, '/console', session.cookie)).status).toBe(401);
      const english = await t.sim.ask('dm-zhaolei', 'zhaolei', 'console sign out');
      expect(english.text).toMatch(/^✅ Signed out of the console: \d+ browser sessions ended/);
      Object.assign(zhao, await signIn(t.baseUrl, await linkFor('zhaolei')));
    });
  });

  describe('who sees what', () => {
    it('lists the meetings a person organizes with their tiles; an admin sees all', async () => {
      const mine = await (await open(t.baseUrl, '/console', zhao.cookie)).text();
      expect(mine).toContain('供应商会');
      expect(mine).not.toContain('年度大会');
      expect(mine).toContain('准备完成率');
      expect(mine).toContain('尚无预算');
      const all = await (await open(t.baseUrl, '/console', wang.cookie)).text();
      expect(all).toContain('全部会议（管理员）');
      expect(all).toContain('供应商会');
      expect(all).toContain('年度大会');
    });

    it('refuses a meeting of others with a clear page, an unknown one with 404, and anyone without a session', async () => {
      const other = await open(t.baseUrl, `/console/meetings/${meetingA}`, zhao.cookie);
      expect(other.status).toBe(403);
      expect(await other.text()).toContain(`只有会议 #${meetingA}「年度大会」的组织者和管理员可以查看和操作它的控制台（组织者：王芳）`);
      const data = await open(t.baseUrl, `/console/api/meetings/${meetingA}`, zhao.cookie, 'application/json');
      expect(data.status).toBe(403);
      expect((await open(t.baseUrl, '/console/meetings/9999', wang.cookie)).status).toBe(404);
      expect((await open(t.baseUrl, `/console/api/meetings/${meetingA}`, undefined, 'application/json')).status).toBe(401);
      // The admin opens 赵磊's meeting.
      expect((await open(t.baseUrl, `/console/meetings/${meetingB}`, wang.cookie)).status).toBe(200);
      // Someone the console is not for gets the reason.
      const attendee = await signIn(t.baseUrl, await linkFor('huangmin'));
      const page = await open(t.baseUrl, '/console', attendee.cookie);
      expect(page.status).toBe(403);
      expect(await page.text()).toContain('控制台只对组织者和管理员开放');
    });

    it('speaks English to someone whose language is English', async () => {
      expect((await t.sim.ask('dm-zhaolei', 'zhaolei', 'language English')).text).toBeTruthy();
      try {
        const list = await (await open(t.baseUrl, '/console', zhao.cookie)).text();
        expect(list).toContain('<html lang="en">');
        expect(list).toContain('My meetings');
        expect(list).toContain('Preparation done');
        expect(list).toContain('No budget yet');
        const data = (await (await open(t.baseUrl, `/console/api/meetings/${meetingB}`, zhao.cookie, 'application/json')).json()) as { tiles: Array<{ id: string; how: string[] }> };
        expect(data.tiles.find((x) => x.id === 'rsvp')!.how[0]).toContain('0 answered / 0 invited');
        const refused = await open(t.baseUrl, `/console/meetings/${meetingA}`, zhao.cookie);
        expect(await refused.text()).toContain(`Only the organizers of meeting #${meetingA}`);
      } finally {
        await t.sim.ask('dm-zhaolei', 'zhaolei', '语言 默认');
      }
    });

    it('serves the meeting page with its scripts from us, under the strict policy', async () => {
      const page = await open(t.baseUrl, `/console/meetings/${meetingA}`, wang.cookie);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await page.text();
      expect(html).toContain('<script src="/console/static/echarts.min.js" defer></script>');
      expect(html).not.toMatch(/<script>(?!<)/);
      const echarts = await open(t.baseUrl, '/console/static/echarts.min.js');
      expect(echarts.status).toBe(200);
      expect((await echarts.text()).length).toBeGreaterThan(500_000);
    });

    it('answers the data requests with worded tiles and the chart options', async () => {
      const data = (await (await open(t.baseUrl, `/console/api/meetings/${meetingA}`, wang.cookie, 'application/json')).json()) as {
        tiles: Array<{ id: string; label: string; value: string; how: string[] }>;
        charts: Record<string, { option: { series: unknown[] } }>;
        figures: Record<string, number | null>;
      };
      expect(data.tiles.map((x) => x.id)).toEqual(['prep', 'rsvp', 'arrival', 'checkinRate', 'satisfaction', 'incidents', 'cost']);
      expect(data.tiles.find((x) => x.id === 'rsvp')).toMatchObject({ label: '回复率', value: '0%' });
      expect(data.tiles.find((x) => x.id === 'rsvp')!.how[0]).toContain('已回复 0 人 / 已邀请 3 人');
      expect(data.tiles.find((x) => x.id === 'cost')).toMatchObject({ value: '尚无预算' });
      expect(Object.keys(data.charts)).toEqual(['arrivals', 'funnel', 'satisfaction', 'incidents']);
      expect(data.figures.invited).toBe(3);
    });
  });

  describe('actions', () => {
    it('checks someone in by name with the rules of the chat command, and refuses without the CSRF token', async () => {
      const url = `/console/api/meetings/${meetingA}/check-in`;
      const noCsrf = await post(wang, url, { name: '黄敏' }, 'wrong');
      expect(noCsrf.status).toBe(403);
      expect(await t.app.services.db.attendee.count({ where: { meetingId: meetingA, checkedInAt: { not: null } } })).toBe(0);
      const done = await post(wang, url, { name: '黄敏' });
      expect(done.status).toBe(200);
      expect((await done.json()).message).toMatch(/^✅ 黄敏 已签到/);
      expect((await (await post(wang, url, { name: '黄敏' })).json()).message).toContain('黄敏 已于');
      const unknown = await post(wang, url, { name: '不存在的人' });
      expect(unknown.status).toBe(422);
      expect((await unknown.json()).error).toBe(`会议 #${meetingA} 的名单里没有「不存在的人」`);
      // 赵磊 is not an organizer of A.
      expect((await post(zhao, url, { name: '周婷' })).status).toBe(403);
      expect(await t.app.services.db.attendee.count({ where: { meetingId: meetingA, checkedInAt: { not: null } } })).toBe(1);
    });

    it('sends follow-ups to the people who have not answered, once per click', async () => {
      const dm = await cursor('dm-zhouting');
      const res = await post(wang, `/console/api/meetings/${meetingA}/follow-up`, { key: 'click-0001' });
      expect(res.status).toBe(200);
      // 黄敏 answered by checking in: 周婷 and 吴军 remain.
      expect(await res.json()).toMatchObject({ count: 2, message: '已向 2 位未回复的人发送催办' });
      await post(wang, `/console/api/meetings/${meetingA}/follow-up`, { key: 'click-0001' });
      await t.sim.nextBotMessage('dm-zhouting', dm, (m) => m.text?.includes('还没有回复') ?? false);
      const followUps = (await t.sim.messages('dm-zhouting', dm)).filter((m) => m.text?.includes('还没有回复'));
      expect(followUps).toHaveLength(1);
      expect((await post(zhao, `/console/api/meetings/${meetingA}/follow-up`, { key: 'click-0002' })).status).toBe(403);
      expect((await post(wang, `/console/api/meetings/${meetingA}/follow-up`, { key: 'x' })).status).toBe(400);
    });

    it('exports the list masked, or in full with an access-log row and a log line', async () => {
      const db = t.app.services.db;
      const huang = await db.attendee.findFirst({ where: { meetingId: meetingA, name: '黄敏' } });
      await db.attendee.update({ where: { id: huang!.id }, data: { phoneEnc: t.app.services.pii.encrypt('13812345678') } });
      const masked = await post(wang, `/console/api/meetings/${meetingA}/attendees.csv`, { full: false });
      expect(masked.headers.get('content-type')).toContain('text/csv');
      const maskedText = await masked.text();
      expect(maskedText).toContain('黄敏');
      expect(maskedText).not.toContain('13812345678');
      expect(await db.piiAccessLog.count({ where: { meetingId: meetingA } })).toBe(0);
      const full = await post(wang, `/console/api/meetings/${meetingA}/attendees.csv`, { full: true });
      expect(await full.text()).toContain('13812345678');
      expect(await db.piiAccessLog.findMany({ where: { meetingId: meetingA } })).toMatchObject([{ userId: 'simulator:wangfang', kind: 'attendee-list-full' }]);
      expect(logLines.some((l) => l.includes('full personal data exported') && l.includes('"via":"console"'))).toBe(true);
      expect((await post(zhao, `/console/api/meetings/${meetingA}/attendees.csv`, { full: true })).status).toBe(403);
    });

    it('the attendee board masks phones, searches and filters through the request body', async () => {
      const board = async (body: unknown) => (await (await post(wang, `/console/api/meetings/${meetingA}/attendees`, body)).json()) as { total: number; rows: Array<{ name: string; phone: string; checkedIn: string }> };
      const all = await board({});
      expect(all.total).toBe(3);
      expect(all.rows.find((r) => r.name === '黄敏')!.phone).toBe('138****5678');
      expect((await board({ q: '周' })).rows.map((r) => r.name)).toEqual(['周婷']);
      expect((await board({ checkedIn: 'yes' })).rows.map((r) => r.name)).toEqual(['黄敏']);
      expect((await board({ answer: 'pending' })).total).toBe(2);
      expect((await post(wang, `/console/api/meetings/${meetingA}/attendees`, { answer: 'bogus' })).status).toBe(400);
      // No personal data in a URL, so none in a log line.
      expect(logLines.join('\n')).not.toContain('13812345678');
    });
  });

  describe('live', () => {
    /** Reads an event stream until a `change` naming `kind` arrives; resolves with the time it took. */
    async function nextChange(reader: ReadableStreamDefaultReader<Uint8Array>, kind: string, startedAt: number): Promise<number> {
      const decoder = new TextDecoder();
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value, { stream: true });
        const events = text.split('\n\n');
        text = events.pop()!;
        for (const e of events) if (e.startsWith('event: change') && JSON.parse(e.split('data: ')[1]!).kinds.includes(kind)) return Date.now() - startedAt;
      }
    }

    it('a change made in chat reaches an open page within 2 s', async () => {
      const res = await fetch(`${t.baseUrl}/console/api/meetings/${meetingA}/events`, { headers: { cookie: wang.cookie, accept: 'text/event-stream' } });
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const reader = res.body!.getReader();
      try {
        let start = Date.now();
        await t.sim.say('dm-zhouting', 'zhouting', `会议 回复 #${meetingA} 参加`);
        expect(await nextChange(reader, 'answers', start)).toBeLessThan(2000);
        start = Date.now();
        await t.sim.say('dm-zhouting', 'zhouting', `签到 #${meetingA}`);
        expect(await nextChange(reader, 'checkins', start)).toBeLessThan(2000);
        start = Date.now();
        await t.sim.say(GROUP, 'wujun', `@会务助手 上报 P2 主会场 设备 话筒没声音 会议 #${meetingA}`);
        expect(await nextChange(reader, 'incidents', start)).toBeLessThan(2000);
        start = Date.now();
        await t.sim.say(GROUP, 'wangfang', `@会务助手 任务 @张伟 打印胸牌 截止 明天下午5点 会议 #${meetingA}`);
        expect(await nextChange(reader, 'tasks', start)).toBeLessThan(2000);
      } finally {
        await reader.cancel();
      }
      // And the data the page then reads has the changes.
      const data = (await (await open(t.baseUrl, `/console/api/meetings/${meetingA}`, wang.cookie, 'application/json')).json()) as { figures: Record<string, number> };
      expect(data.figures).toMatchObject({ arrived: 2, answered: 2, incidents: 1 });
      const incidents = (await (await open(t.baseUrl, `/console/api/meetings/${meetingA}/incidents`, wang.cookie, 'application/json')).json()) as { rows: Array<{ line: string; open: boolean; timer: { text: string } }> };
      expect(incidents.rows[0]).toMatchObject({ open: true });
      expect(incidents.rows[0]!.line).toContain('话筒没声音');
      expect(incidents.rows[0]!.timer.text).toContain('{elapsed}');
      const tasks = (await (await open(t.baseUrl, `/console/api/meetings/${meetingA}/tasks`, wang.cookie, 'application/json')).json()) as { departments: Array<{ tasks: Array<{ line: string }> }> };
      expect(tasks.departments.flatMap((d) => d.tasks.map((x) => x.line)).some((l) => l.includes('打印胸牌'))).toBe(true);
    });

    it('refuses the stream of a meeting one does not organize', async () => {
      const res = await fetch(`${t.baseUrl}/console/api/meetings/${meetingA}/events`, { headers: { cookie: zhao.cookie } });
      expect(res.status).toBe(403);
    });
  });

  it('offers no WeCom or DingTalk sign-in where they are not connected', async () => {
    const res = await open(t.baseUrl, '/auth/wecom/start');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('这里没有接入企业微信');
  });
});

describe('WeCom web OAuth sign-in', () => {
  let w: WecomWorld;
  beforeAll(async () => {
    w = await startWecomWorld({ bot: false, env: { HUIWU_PUBLIC_URL: 'https://huiwu.example.com' } });
  }, 60_000);
  afterAll(async () => {
    await w?.close();
  });

  /** Starts a sign-in: WeCom's authorize URL, and the state cookie. */
  async function start(to = '/console') {
    const res = await open(w.t.baseUrl, `/auth/wecom/start?to=${encodeURIComponent(to)}`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    return { location, state: location.searchParams.get('state')!, cookie: res.headers.get('set-cookie')!.split(';')[0]! };
  }

  it('sends the browser to WeCom, exchanges the code for the userid and opens a session', async () => {
    const { location, state, cookie } = await start('/console/meetings/1');
    expect(`${location.origin}${location.pathname}`).toBe('https://open.weixin.qq.com/connect/oauth2/authorize');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({ appid: 'wwhuiwu0test', redirect_uri: 'https://huiwu.example.com/auth/wecom', response_type: 'code', scope: 'snsapi_base', agentid: '1000002' });
    expect(location.hash).toBe('#wechat_redirect');
    const code = w.api.issueAuthCode('wangfang');
    const back = await open(w.t.baseUrl, `/auth/wecom?code=${code}&state=${state}`, cookie);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/console/meetings/1');
    const session = back.headers.get('set-cookie')!;
    expect(session).toMatch(/huiwu_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure/);
    const me = await open(w.t.baseUrl, '/auth/me', /huiwu_session=[^;]+/.exec(session)![0], 'application/json');
    expect(await me.json()).toMatchObject({ id: 'wecom:wangfang' });
    expect(w.api.calls('auth/getuserinfo').at(-1)).toMatchObject({ query: { code }, errcode: 0 });
  });

  it('refuses a used, an expired or a wrong code, and a state the browser did not start', async () => {
    const used = w.api.issueAuthCode('zhaolei');
    const first = await start();
    expect((await open(w.t.baseUrl, `/auth/wecom?code=${used}&state=${first.state}`, first.cookie)).status).toBe(303);
    const again = await start();
    const reused = await open(w.t.baseUrl, `/auth/wecom?code=${used}&state=${again.state}`, again.cookie);
    expect(reused.status).toBe(403);
    expect(await reused.text()).toContain('企业微信没有确认你的身份（授权码无效、已用过或已过期）');

    const stale = w.api.issueAuthCode('zhaolei');
    w.api.expireAuthCodes();
    const third = await start();
    expect((await open(w.t.baseUrl, `/auth/wecom?code=${stale}&state=${third.state}`, third.cookie)).status).toBe(403);
    const fourth = await start();
    expect((await open(w.t.baseUrl, `/auth/wecom?code=made-up&state=${fourth.state}`, fourth.cookie)).status).toBe(403);

    // A code brought without the state cookie (a link someone else crafted) opens nothing.
    const fresh = w.api.issueAuthCode('zhaolei');
    const fifth = await start();
    const forged = await open(w.t.baseUrl, `/auth/wecom?code=${fresh}&state=${fifth.state}`);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('这次登录不是从本页面发起的');
    const wrongState = await open(w.t.baseUrl, `/auth/wecom?code=${fresh}&state=other`, fifth.cookie);
    expect(wrongState.status).toBe(403);
    expect(w.api.calls('auth/getuserinfo').filter((c) => c.query.code === fresh)).toHaveLength(0);
    // A refusal's log line names the path, never the code or the state.
    expect(redactUrl(`/auth/wecom?code=${fresh}&state=${fifth.state}`)).toBe('/auth/wecom?code=[redacted]&state=[redacted]');
    expect(redactUrl(`/auth/dingtalk?authCode=${fresh}&state=x`)).toBe('/auth/dingtalk?authCode=[redacted]&state=[redacted]');
  });
});

describe('DingTalk in-app sign-in', () => {
  let fake: FakeDingTalk;
  let t: TestApp;
  beforeAll(async () => {
    fake = await startFakeDingTalk();
    t = await startTestApp(fake.env());
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  async function start() {
    const res = await open(t.baseUrl, '/auth/dingtalk/start?corpId=dingcorp123');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-corp-id="dingcorp123"');
    return { state: /data-state="([^"]+)"/.exec(html)![1]!, cookie: res.headers.get('set-cookie')!.split(';')[0]! };
  }

  it("serves DingTalk's JSAPI from our own origin, bundled from its npm package", async () => {
    const { state } = await start();
    expect(state).toBeTruthy();
    const js = await open(t.baseUrl, '/console/static/dingtalk.open.js', undefined, '*/*');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    const text = await js.text();
    expect(text).toContain('window.dd');
    expect(text).toContain('getAuthCode');
  });

  it('exchanges the authCode of the page for the staff id and opens a session', async () => {
    const { state, cookie } = await start();
    const code = fake.api.issueAuthCode('wangfang');
    const back = await open(t.baseUrl, `/auth/dingtalk?authCode=${code}&state=${state}`, cookie);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/console');
    const me = await open(t.baseUrl, '/auth/me', /huiwu_session=[^;]+/.exec(back.headers.get('set-cookie')!)![0], 'application/json');
    // The state is spent: its cookie is cleared with the same answer.
    expect(back.headers.get('set-cookie')).toContain('huiwu_oauth=; Path=/auth/; HttpOnly; SameSite=Lax; Max-Age=0');
    expect(await me.json()).toMatchObject({ id: 'dingtalk:wangfang' });
    expect(fake.api.calls('/topapi/v2/user/getuserinfo').at(-1)).toMatchObject({ body: { code }, status: 200 });
  });

  it('refuses a used, an expired or a wrong code, and a missing state', async () => {
    const code = fake.api.issueAuthCode('zhaolei');
    const a = await start();
    expect((await open(t.baseUrl, `/auth/dingtalk?authCode=${code}&state=${a.state}`, a.cookie)).status).toBe(303);
    const b = await start();
    const reused = await open(t.baseUrl, `/auth/dingtalk?authCode=${code}&state=${b.state}`, b.cookie);
    expect(reused.status).toBe(403);
    expect(await reused.text()).toContain('钉钉没有确认你的身份');
    const stale = fake.api.issueAuthCode('zhaolei');
    fake.api.expireAuthCodes();
    const c = await start();
    expect((await open(t.baseUrl, `/auth/dingtalk?authCode=${stale}&state=${c.state}`, c.cookie)).status).toBe(403);
    const d = await start();
    expect((await open(t.baseUrl, `/auth/dingtalk?authCode=nonsense&state=${d.state}`, d.cookie)).status).toBe(403);
    const fresh = fake.api.issueAuthCode('zhaolei');
    expect((await open(t.baseUrl, `/auth/dingtalk?authCode=${fresh}`)).status).toBe(403);
  });
});
