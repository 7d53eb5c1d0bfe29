/**
 * The door's scanner page in a real headless Chromium: a staff member opens the link the bot sent,
 * a keyboard-wedge scanner types codes (admitted, already, invalid), the network goes away (the
 * browser's offline emulation), scans are decided from the roster and queued, the network comes
 * back and the queue is synced once; then the camera (Chromium's fake camera playing a QR code)
 * is read with jsQR. Then the offline copy: the page reloaded without a network opens from its
 * service worker's cache, admits from the roster and syncs once when the network is back; a
 * session ended from the chat, the page's sign-out and the console's sign-out each remove it.
 *
 * Needs Chromium (Debian's `chromium`, or CHROMIUM_PATH); skipped with a warning without it,
 * except in CI, where a missing browser is a failure.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { admissionPng } from '../../src/services/admission.js';
import { type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOnCard } from '../support/admission-code.js';
import { RESULTS_DIR, hasChromium, launchChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/harness.js';

const WAIT = { timeout: 20_000 };
const GROUP = 'prep-group';

/**
 * A Y4M video of one QR code on white (Chromium's fake camera plays it in a loop): the camera path
 * of the page (getUserMedia, jsQR) reads it like a phone held up to a screen.
 */
async function qrVideo(code: string, file: string): Promise<void> {
  const png = PNG.sync.read(await admissionPng(code));
  const [w, h] = [640, 480];
  const y = Buffer.alloc(w * h, 235);
  const left = Math.floor((w - png.width) / 2);
  const top = Math.floor((h - png.height) / 2);
  for (let row = 0; row < png.height; row++) {
    for (let col = 0; col < png.width; col++) y[(top + row) * w + left + col] = png.data[(row * png.width + col) * 4]! < 128 ? 16 : 235;
  }
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F5:1 Ip A1:1 C420jpeg\n`), frame, frame]));
}

describe.skipIf(!hasChromium)('scanner page (headless Chromium)', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let finished = false;
  const pageErrors: string[] = [];
  const codes: Record<string, string> = {};
  let meetingId = 0;
  let link = '';
  let scannerPath = '';
  const videoDir = mkdtempSync(join(tmpdir(), 'huiwu-camera-'));

  beforeAll(async () => {
    t = await startTestApp({ HUIWU_GROUP_LIMIT_PER_MINUTE: '1000', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000' });
    // A meeting in 20 minutes, three confirmed attendees, a staff member at the general lane.
    const sim = t.sim;
    const created = await sim.ask(GROUP, 'wangfang', '会议 新建 浏览器签到 20分钟后 地点 大厅');
    meetingId = Number(/#(\d+)/.exec(created.text!)![1]);
    const cursors: Record<string, number> = {};
    for (const u of ['zhaolei', 'wujun', 'sunli', 'huangmin']) cursors[u] = (await sim.messages(`dm-${u}`)).at(-1)?.id ?? 0;
    await sim.ask(GROUP, 'wangfang', `会议 邀请 #${meetingId} @赵磊 @吴军 @孙丽`);
    for (const u of ['zhaolei', 'wujun', 'sunli']) {
      const invite = await sim.nextBotMessage(`dm-${u}`, cursors[u]!, (m) => m.card?.title.startsWith(`📋 会议邀请 #${meetingId} `) ?? false);
      expect((await sim.click(invite.card!.id, u, 'rsvp.yes')).body.accepted).toBe(true);
      codes[u] = await codeOnCard(t.baseUrl, await sim.waitForCard(`dm-${u}`, invite.card!.id, (c) => c.image !== undefined));
    }
    await sim.ask(GROUP, 'wangfang', `签到 扫码 #${meetingId} @黄敏`);
    const dm = await sim.nextBotMessage('dm-huangmin', cursors.huangmin!, (m) => m.text?.includes('扫码页') ?? false);
    link = /(http\S+\/auth\/link\/\S+)/.exec(dm.text!)![1]!.replace(/^http:\/\/localhost:\d+/, t.baseUrl);
    await qrVideo(codes.zhaolei!, join(videoDir, 'qr.y4m'));
    // A fake camera showing 赵磊's code, for the camera scan.
    browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${join(videoDir, 'qr.y4m')}`]);
    context = await browser.newContext({ permissions: ['camera'], viewport: { width: 412, height: 860 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) pageErrors.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    page.on('console', (message) => {
      // Failed requests while offline are expected; anything else (a CSP refusal, a script error) is not.
      if (message.type() === 'error' && !message.text().includes('net::ERR_INTERNET_DISCONNECTED')) pageErrors.push(`console.error: ${message.text()}`);
    });
  }, 90_000);

  afterAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    if (page && !finished) await page.screenshot({ path: join(RESULTS_DIR, 'checkin-failure.png'), fullPage: true }).catch(() => undefined);
    await context?.close();
    await browser?.close();
    await t?.close();
    rmSync(videoDir, { recursive: true, force: true });
  });

  const verdict = () => page.getByTestId('verdict');
  /** Types a code the way a wedge scanner does (characters, then Enter) and returns ms until the verdict changed. */
  async function wedgeScan(code: string): Promise<number> {
    const before = await verdict().evaluate((el) => (el.dataset.verdict ?? '') + el.textContent);
    const input = page.getByTestId('wedge');
    await input.fill(code);
    const started = Date.now();
    await input.press('Enter');
    await expect.poll(() => verdict().evaluate((el, prev) => (el.dataset.verdict ?? '') + el.textContent !== prev, before), WAIT).toBe(true);
    return Date.now() - started;
  }
  const shown = async () => ({ verdict: await verdict().getAttribute('data-verdict'), text: await verdict().innerText() });

  it('signs in with the link and decides wedge scans online', async () => {
    await page.goto(link);
    await page.waitForSelector('body[data-ready=true]', WAIT);
    expect(new URL(page.url()).pathname).toMatch(/^\/checkin\/m\d+\/l\d+$/);
    scannerPath = new URL(page.url()).pathname;
    await expect.poll(() => page.getByTestId('status').innerText(), WAIT).toContain('本通道名单 3 人');
    expect(await page.getByTestId('net').innerText()).toBe('在线');
    // The roster's ECDSA signature was checked in the page (127.0.0.1 is a secure context: WebCrypto).
    expect(await page.getByTestId('status').getAttribute('data-roster')).toBe('verified');

    const ms = await wedgeScan(codes.zhaolei!);
    expect(await shown()).toMatchObject({ verdict: 'admitted' });
    expect((await shown()).text).toContain('赵*');
    // The page's own scan-to-verdict time (Enter to the verdict on screen), beside the test's view of it.
    const inPage = Number(await verdict().getAttribute('data-ms'));
    console.info(`[scanner page] scan to verdict: ${inPage} ms in the page, ${ms} ms seen by the test`);
    expect(inPage).toBeLessThan(1000);

    await wedgeScan(codes.zhaolei!);
    const again = await shown();
    expect(again.verdict).toBe('already');
    expect(again.text).toContain('普通');
    expect(again.text).toMatch(/签到于 \d{2}:\d{2}:\d{2}/);

    await wedgeScan('HW1NotARealCode');
    expect(await shown()).toMatchObject({ verdict: 'forged' });
  }, 60_000);

  it('keeps admitting offline from the roster, then syncs the queue once', async () => {
    await context!.setOffline(true);
    await expect.poll(() => page.getByTestId('net').innerText(), WAIT).toBe('离线');

    await wedgeScan(codes.wujun!);
    expect(await shown()).toMatchObject({ verdict: 'admitted' });
    expect((await shown()).text).toContain('（离线判定）');
    await wedgeScan(codes.wujun!);
    expect(await shown()).toMatchObject({ verdict: 'already' });
    await wedgeScan(codes.zhaolei!);
    expect(await shown()).toMatchObject({ verdict: 'already' });
    await wedgeScan(codes.sunli!);
    expect(await shown()).toMatchObject({ verdict: 'admitted' });
    expect(await page.getByTestId('status').getAttribute('data-queued')).toBe('4');
    // Nothing reached the server while offline.
    const db = t!.app.services.db;
    expect(await db.attendee.count({ where: { meetingId, checkedInAt: { not: null } } })).toBe(1);

    await context!.setOffline(false);
    await expect.poll(() => page.getByTestId('status').getAttribute('data-queued'), WAIT).toBe('0');
    expect(await page.getByTestId('status').getAttribute('data-synced')).toBe('4');
    await expect.poll(() => page.getByTestId('net').innerText(), WAIT).toBe('在线');
    expect(await page.getByTestId('status').innerText()).toContain('已同步 4 条');

    const rows = await db.checkinScan.findMany({ where: { meetingId, offline: true }, orderBy: { scannedAt: 'asc' } });
    expect(rows.map((r) => r.verdict)).toEqual(['admitted', 'already', 'already', 'admitted']);
    expect(await db.attendee.count({ where: { meetingId, checkedInAt: { not: null } } })).toBe(3);
    // The roster was reloaded: an online scan of an offline-admitted code is refused as already in.
    await wedgeScan(codes.sunli!);
    expect(await shown()).toMatchObject({ verdict: 'already' });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('reads a code from the camera (jsQR on the video frames)', async () => {
    const before = await verdict().evaluate((el) => el.textContent);
    await page.getByRole('button', { name: '📷 摄像头扫码' }).click();
    // 赵磊 was admitted at the start: the camera's read of his code is refused as already in.
    await expect.poll(() => verdict().evaluate((el, prev) => el.textContent !== prev && el.dataset.verdict, before), WAIT).toBe('already');
    expect((await shown()).text).toContain('赵*');
    await page.getByRole('button', { name: '停止摄像头' }).click();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("reopens the page offline from the service worker's copy, admits from the roster and syncs once", async () => {
    const s = t!.app.services;
    const meeting = (await s.meetings.get(meetingId))!;
    const guest = await s.db.attendee.create({ data: { meetingId, userId: 'simulator:zhouqiang', name: '周强', response: 'yes', invitedBy: 'simulator:wangfang' } });
    const code = s.admission.codeFor(meeting, guest);
    // Online: a reload brings the roster with 周强 (through the service worker, network first).
    await page.reload();
    await page.waitForSelector('body[data-ready=true][data-offline-copy=ready]', WAIT);
    await expect.poll(() => page.getByTestId('status').innerText(), WAIT).toContain('本通道名单 4 人');
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    expect(await page.evaluate(() => caches.keys())).toEqual([`huiwu-door:${new URL(page.url()).pathname}`]);
    // One cache for this page: the page, its scripts and styles, its signed roster.
    const cached = await page.evaluate(async () => (await (await caches.open((await caches.keys())[0]!)).keys()).map((r) => new URL(r.url).pathname).sort());
    const here = new URL(page.url()).pathname;
    expect(cached).toEqual([here, `${here}/api/roster`, '/checkin/static/checkin.css', '/checkin/static/checkin.js', '/checkin/static/jsqr.js'].sort());

    await context!.setOffline(true);
    // The service worker's own network attempts (Chromium reports them on the context) must fail:
    // what opens is the cached copy, not a page fetched past the offline emulation.
    const fromWorker: string[] = [];
    const track = (what: string) => (request: Request) => {
      if (request.serviceWorker()) fromWorker.push(`${what} ${new URL(request.url()).pathname}`);
    };
    const [sent, failed, done] = [track('sent'), track('failed'), track('done')];
    context!.on('request', sent);
    context!.on('requestfailed', failed);
    context!.on('requestfinished', done);
    const reopened = await page.reload();
    expect(reopened?.fromServiceWorker()).toBe(true);
    await page.waitForSelector('body[data-ready=true]', WAIT);
    expect(await page.getByTestId('net').innerText()).toBe('离线');
    expect(await page.getByTestId('status').innerText()).toContain('本通道名单 4 人');
    expect(await page.getByTestId('status').getAttribute('data-roster')).toBe('verified');
    console.info(`[scanner page] service worker requests while offline: ${fromWorker.join(', ')}`);
    const pagePath = new URL(page.url()).pathname;
    expect(fromWorker).toContain(`failed ${pagePath}`);
    expect(fromWorker.filter((r) => r.startsWith('done'))).toEqual([]);
    context!.off('request', sent);
    context!.off('requestfailed', failed);
    context!.off('requestfinished', done);

    await wedgeScan(code);
    expect(await shown()).toMatchObject({ verdict: 'admitted' });
    expect((await shown()).text).toContain('（离线判定）');
    expect((await shown()).text).toContain('周*');
    expect(await page.getByTestId('status').getAttribute('data-queued')).toBe('1');
    expect((await s.db.attendee.findUniqueOrThrow({ where: { id: guest.id } })).checkedInAt).toBeNull();

    await context!.setOffline(false);
    await expect.poll(() => page.getByTestId('status').getAttribute('data-queued'), WAIT).toBe('0');
    expect(await page.getByTestId('status').getAttribute('data-synced')).toBe('1');
    const rows = await s.db.checkinScan.findMany({ where: { meetingId, attendeeId: guest.id } });
    expect(rows.map((r) => [r.verdict, r.offline])).toEqual([['admitted', true]]);
    expect((await s.db.attendee.findUniqueOrThrow({ where: { id: guest.id } })).checkedInAt).not.toBeNull();
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('drops the offline copy when the server refuses the session (ended from the chat)', async () => {
    const s = t!.app.services;
    const here = new URL(page.url()).pathname;
    const staff = 'simulator:huangmin';
    expect(await s.pageAccess.signOut(staff)).toBeGreaterThan(0);
    // Online, the page is fetched first: the server's refusal is shown and the cache deleted.
    const refused = await page.reload();
    expect(refused?.status()).toBe(401);
    await expect.poll(() => page.evaluate(() => caches.keys()), WAIT).toEqual([]);
    await context!.setOffline(true);
    await expect(page.reload()).rejects.toThrow(/ERR_INTERNET_DISCONNECTED|ERR_FAILED/);
    await context!.setOffline(false);
    // Signed in again with a new link: the page and its offline copy are back.
    await page.goto((await s.pageAccess.issueLink(staff, here)).replace(/^http:\/\/localhost:\d+/, t!.baseUrl));
    await page.waitForSelector('body[data-ready=true][data-offline-copy=ready]', WAIT);
    expect(await page.evaluate(() => caches.keys())).toEqual([`huiwu-door:${here}`]);
    pageErrors.splice(0);
  }, 60_000);

  it('forgets the offline copy on sign-out: the server decides the next load', async () => {
    await page.getByRole('button', { name: '退出登录' }).click();
    // The page reloads after signing out: the server's sign-in notice has no verdict box.
    await page.getByTestId('verdict').waitFor({ state: 'detached', ...WAIT });
    await expect.poll(() => page.evaluate(() => caches.keys()), WAIT).toEqual([]);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith('-roster')))).toEqual([]);
    // Reloaded after sign-out: the sign-in notice from the server, not the cached page.
    const res = await page.reload();
    expect(res?.status()).toBe(401);
    expect(res?.fromServiceWorker()).toBe(false);
    expect(await page.getByTestId('verdict').count()).toBe(0);
    await context!.setOffline(true);
    await expect(page.reload()).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
    await context!.setOffline(false);
  }, 60_000);

  it("signing out on the console forgets the device's scanner pages too", async () => {
    const s = t!.app.services;
    const here = scannerPath;
    // The organizer this time: staff of a lane may not use the console.
    await page.goto((await s.pageAccess.issueLink('simulator:wangfang', here)).replace(/^http:\/\/localhost:\d+/, t!.baseUrl));
    await page.waitForSelector('body[data-ready=true][data-offline-copy=ready]', WAIT);
    await page.goto(`${t!.baseUrl}/console`);
    expect(await page.evaluate(() => caches.keys())).toEqual([`huiwu-door:${here}`]);
    await page.getByRole('button', { name: '退出登录' }).click();
    await expect.poll(() => page.evaluate(() => caches.keys()), WAIT).toEqual([]);
    await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length), WAIT).toBe(0);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith('-roster')))).toEqual([]);
    finished = true;
  }, 60_000);
});
