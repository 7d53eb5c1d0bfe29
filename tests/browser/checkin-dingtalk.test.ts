/**
 * The door's scanner page inside DingTalk, in a real headless Chromium with DingTalk's JSAPI bundle
 * served by us. Chromium is not DingTalk's WebView, so the test plays the native container at the
 * page's edge only: a DingTalk Android user agent and the `nuva` bridge the JSAPI talks to on
 * Android, recording each call and answering config and scan. The page asks its server for the
 * signature (the fake DingTalk's jsapi_ticket), calls `dd.config` with the agentId, corpId, nonce,
 * timestamp and signature, and once DingTalk accepts, a tap on 扫一扫 calls `biz.util.scan`
 * (type qrCode) and the scanned code is decided by the server.
 *
 * The app's links point at HUIWU_PUBLIC_URL; the test opens the page there (a port forwarded to
 * the test app), so the URL the page signs is the one the server accepts.
 */
import { createHash } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDingTalk } from '../conversation/dingtalk-driver.js';
import type { FakeDingTalk } from '../fakes/dingtalk/fake-dingtalk.js';
import { RESULTS_DIR, hasChromium, launchChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/harness.js';

const WAIT = { timeout: 20_000 };
const JSAPI = { DINGTALK_AGENT_ID: '3012345678', DINGTALK_CORP_ID: 'dingfakecorp0001' };
const DINGTALK_ANDROID_UA =
  'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.0.0 Mobile Safari/537.36 AliApp(DingTalk/7.6.0) com.alibaba.android.rimet/36713 Channel/700159 language/zh-CN';

interface BridgeCall {
  service: string;
  action: string;
  params: Record<string, unknown>;
}

/**
 * The DingTalk Android container as the JSAPI sees it: `window.nuva`, ready, with its bridge
 * function. `refuseConfig`: DingTalk rejects every `dd.config` (as it does a stale ticket's signature).
 */
function fakeDingTalkContainer({ refuseConfig }: { refuseConfig: boolean }): void {
  const w = window as unknown as { nuva: unknown; __ddCalls: BridgeCall[]; __ddScanText: string };
  w.__ddCalls = [];
  w.__ddScanText = '';
  w.nuva = {
    isReady: true,
    require: () => (ok: (r: unknown) => void, fail: (e: unknown) => void, service: string, action: string, params: Record<string, unknown>) => {
      w.__ddCalls.push({ service, action, params: JSON.parse(JSON.stringify(params ?? {})) as Record<string, unknown> });
      if (service === 'runtime.permission' && action === 'requestJsApis') setTimeout(() => (refuseConfig ? fail({ errorCode: '9', errorMessage: '签名校验失败' }) : ok({})), 0);
      else if (service === 'biz.util' && action === 'scan') setTimeout(() => ok({ text: w.__ddScanText }), 0);
      else setTimeout(() => fail({ errorCode: '3', errorMessage: `not faked: ${service}.${action}` }), 0);
    },
  };
}

describe.skipIf(!hasChromium)('scanner page inside DingTalk (headless Chromium)', () => {
  let fake: FakeDingTalk;
  let t: TestApp | undefined;
  let forward: Server | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let finished = false;
  const pageErrors: string[] = [];
  let link = '';
  let code = '';
  let publicUrl = '';

  beforeAll(async () => {
    fake = await startFakeDingTalk();
    // A port for the public URL first, forwarded to the app once it listens.
    let appPort = 0;
    forward = createServer((socket) => socket.pipe(connect(appPort, '127.0.0.1')).pipe(socket));
    await new Promise<void>((resolve) => forward!.listen(0, '127.0.0.1', resolve));
    publicUrl = `http://127.0.0.1:${(forward.address() as AddressInfo).port}`;
    t = await startTestApp({ ...fake.env(), ...JSAPI, HUIWU_PUBLIC_URL: publicUrl });
    appPort = Number(new URL(t.baseUrl).port);

    const s = t.app.services;
    await s.directory.upsertUser({ platform: 'dingtalk', externalId: 'wangfang', name: '王芳', roles: ['organizer'], department: null });
    const meeting = await s.db.meeting.create({
      data: { title: '钉钉扫码入场', startAt: new Date(Date.now() + 3600_000), conversationId: 'dingtalk:dm:wangfang', creatorId: 'dingtalk:wangfang', organizerIds: '["dingtalk:wangfang"]', organizers: { create: { userId: 'dingtalk:wangfang' } } },
    });
    const attendee = await s.db.attendee.create({ data: { meetingId: meeting.id, userId: 'dingtalk:zhaolei', name: '赵磊', response: 'yes', invitedBy: 'dingtalk:wangfang' } });
    code = s.admission.codeFor(meeting, attendee);
    const [lane] = await s.door.lanes(meeting);
    link = await s.pageAccess.issueLink('dingtalk:wangfang', s.door.pagePath(meeting, lane!));

    browser = await launchChromium();
    context = await browser.newContext({ userAgent: DINGTALK_ANDROID_UA, viewport: { width: 412, height: 860 }, locale: 'zh-CN', isMobile: true });
    await context.addInitScript(fakeDingTalkContainer, { refuseConfig: false });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) pageErrors.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console.error: ${message.text()}`);
    });
  }, 90_000);

  afterAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    if (page && !finished) await page.screenshot({ path: join(RESULTS_DIR, 'checkin-dingtalk-failure.png'), fullPage: true }).catch(() => undefined);
    await context?.close();
    await browser?.close();
    await t?.close();
    forward?.close();
    await fake?.close();
  });

  const calls = () => page.evaluate(() => (window as unknown as { __ddCalls: BridgeCall[] }).__ddCalls);

  it('configures the JSAPI with a signature of the page from the jsapi ticket', async () => {
    expect(link.startsWith(publicUrl)).toBe(true);
    await page.goto(link);
    await page.waitForSelector('body[data-ready=true]', WAIT);
    await expect.poll(async () => (await calls()).some((c) => c.action === 'requestJsApis'), WAIT).toBe(true);
    const config = (await calls()).find((c) => c.action === 'requestJsApis')!.params as Record<string, string | number | string[]>;
    expect(config).toMatchObject({ agentId: JSAPI.DINGTALK_AGENT_ID, corpId: JSAPI.DINGTALK_CORP_ID, type: 0, jsApiList: ['biz.util.scan'] });
    // What DingTalk checks: SHA-1 over the latest ticket, the nonce, the timestamp and this page's URL.
    const url = page.url().split('#')[0];
    expect(fake.api.jsapiTickets).toHaveLength(1);
    const expected = createHash('sha1').update(`jsapi_ticket=${fake.api.jsapiTickets[0]}&noncestr=${config.nonceStr}&timestamp=${config.timeStamp}&url=${url}`).digest('hex');
    expect(config.signature).toBe(expected);
    await page.getByRole('button', { name: '扫一扫' }).waitFor({ state: 'visible', ...WAIT });
  }, 60_000);

  it("scans with DingTalk's scanner and shows the server's verdict", async () => {
    await page.evaluate((text) => ((window as unknown as { __ddScanText: string }).__ddScanText = text), code);
    await page.getByRole('button', { name: '扫一扫' }).click();
    await expect.poll(() => page.getByTestId('verdict').getAttribute('data-verdict'), WAIT).toBe('admitted');
    expect(await page.getByTestId('verdict').innerText()).toContain('赵*');
    const scan = (await calls()).find((c) => c.action === 'scan')!;
    expect(scan).toMatchObject({ service: 'biz.util', params: { type: 'qrCode' } });
    const admitted = await t!.app.services.db.attendee.findFirst({ where: { userId: 'dingtalk:zhaolei' } });
    expect(admitted?.checkedInAt).not.toBeNull();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('after a refused dd.config asks once for a fresh ticket and reloads once, then keeps the camera', async () => {
    const s = t!.app.services;
    const path = new URL(page.url()).pathname;
    const refusing = await browser!.newContext({ userAgent: DINGTALK_ANDROID_UA, viewport: { width: 412, height: 860 }, locale: 'zh-CN', isMobile: true });
    try {
      await refusing.addInitScript(fakeDingTalkContainer, { refuseConfig: true });
      const other = await refusing.newPage();
      const jsapi: string[] = [];
      let loads = 0;
      other.on('request', (request) => {
        if (request.url().includes('/api/jsapi')) jsapi.push(new URL(request.url()).searchParams.has('fresh') ? 'fresh' : 'sign');
      });
      other.on('load', () => loads++);
      await other.goto(await s.pageAccess.issueLink('dingtalk:wangfang', path));
      // First load: signature, refused, fresh ticket, reload; second load: signature, refused, no more.
      await expect.poll(() => jsapi, WAIT).toEqual(['sign', 'fresh', 'sign']);
      await expect.poll(() => loads, WAIT).toBe(2);
      await other.waitForSelector('body[data-ready=true]', WAIT);
      await expect.poll(() => other.evaluate(() => (window as unknown as { __ddCalls: BridgeCall[] }).__ddCalls.filter((c) => c.action === 'requestJsApis').length), WAIT).toBe(1);
      expect(fake.api.jsapiTickets).toHaveLength(2);
      expect(await other.getByRole('button', { name: '扫一扫' }).isHidden()).toBe(true);
      expect(await other.getByRole('button', { name: '📷 摄像头扫码' }).isVisible()).toBe(true);
      expect(jsapi).toEqual(['sign', 'fresh', 'sign']);
    } finally {
      await refusing.close();
    }
  }, 60_000);

  it('outside DingTalk asks for no signature and keeps the camera and the wedge', async () => {
    const s = t!.app.services;
    const path = new URL(page.url()).pathname;
    const outside = await browser!.newContext({ viewport: { width: 412, height: 860 }, locale: 'zh-CN' });
    try {
      const other = await outside.newPage();
      const jsapiRequests: string[] = [];
      other.on('request', (request) => {
        if (request.url().includes('/api/jsapi')) jsapiRequests.push(request.url());
      });
      await other.goto(await s.pageAccess.issueLink('dingtalk:wangfang', path));
      await other.waitForSelector('body[data-ready=true]', WAIT);
      expect(await other.evaluate(() => (window as unknown as { dd?: { env: { platform: string } } }).dd?.env.platform)).toBe('notInDingTalk');
      expect(await other.getByRole('button', { name: '扫一扫' }).isHidden()).toBe(true);
      expect(await other.getByRole('button', { name: '📷 摄像头扫码' }).isVisible()).toBe(true);
      expect(jsapiRequests).toEqual([]);
      expect(fake.api.jsapiTickets).toHaveLength(2);
    } finally {
      await outside.close();
    }
    finished = true;
  }, 60_000);
});
