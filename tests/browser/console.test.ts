/**
 * The organizer console in a real headless Chromium against the real app: get 王芳's console link
 * from the simulator page, sign in through it, see the KPI tiles; then an answer and a check-in
 * made through the simulator API change the tiles and the arrival chart without a reload. The
 * screenshots are kept under test-results/.
 *
 * Needs Chromium (Debian's `chromium`, or CHROMIUM_PATH). Without it the test is skipped with a
 * warning, except in CI (CI set), where a missing browser is a failure.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHuiwu, type HuiwuApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { RESULTS_DIR, hasChromium, launchChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import { SimClient } from '../support/sim-client.js';

const WAIT = { timeout: 20_000 };
const GROUP = 'prep-group';

describe.skipIf(!hasChromium)('organizer console (headless Chromium)', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let meetingId = 0;
  let finished = false;
  /** The app started again on the same port (the restart test). */
  let again: HuiwuApp | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ HUIWU_TIMEZONE: 'Asia/Shanghai', HUIWU_GROUP_LIMIT_PER_MINUTE: '1000', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000' });
    // A meeting in 10 minutes (check-in is open) with three invited.
    const created = await t.sim.ask(GROUP, 'wangfang', '会议 新建 年度大会 10分钟后 地点 主会场');
    meetingId = Number(/#(\d+)/.exec(created.text ?? '')![1]);
    expect((await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${meetingId} @黄敏 @周婷 @吴军`)).text).toContain('已邀请');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console.error: ${message.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    if (page && !finished) await page.screenshot({ path: join(RESULTS_DIR, 'console-failure.png'), fullPage: true }).catch(() => undefined);
    await browser?.close();
    await again?.close();
    await t?.close();
  });

  const tileValue = (id: string) => page.locator(`[data-kpi="${id}"] .tile-value`).innerText();
  /** The arrival chart as ECharts holds it: the counts per 5 minutes, or null while empty. */
  const arrivalCounts = () =>
    page.evaluate(() => {
      const echarts = (window as unknown as { echarts?: { getInstanceByDom(el: Element): { getOption(): { series: Array<{ data: Array<{ value: number }> }> } } | undefined } }).echarts;
      const chart = echarts?.getInstanceByDom(document.getElementById('chart-arrivals')!);
      return chart ? chart.getOption().series[0]!.data.map((d) => d.value) : null;
    });

  it('signs in through the link from the simulator page and shows the tiles', async () => {
    await page.goto(`${t!.baseUrl}/`);
    await page.getByTestId('console-get-wangfang').click(WAIT);
    const link = page.getByTestId('console-open-wangfang');
    await link.waitFor(WAIT);
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\/auth\/link\/[A-Za-z0-9_-]{43}$/);

    await page.goto(`${t!.baseUrl}${href}`);
    await page.waitForURL(`${t!.baseUrl}/console`, WAIT);
    await page.getByRole('link', { name: '年度大会' }).click();
    await page.waitForURL(`${t!.baseUrl}/console/meetings/${meetingId}`, WAIT);
    await page.locator('[data-kpi="rsvp"]').waitFor(WAIT);
    expect(await tileValue('rsvp')).toBe('0%');
    expect(await tileValue('cost')).toBe('尚无预算');
    expect(await page.locator('#live').innerText()).toBe('实时更新中');
    // No check-in yet: the arrival chart says so.
    await expect.poll(() => page.locator('#chart-arrivals').isHidden(), WAIT).toBe(true);

    // The explanation of a tile opens on hover.
    await page.locator('[data-kpi="rsvp"]').hover();
    expect(await page.locator('[data-kpi="rsvp"] .how').innerText()).toContain('已回复 0 人 / 已邀请 3 人');
  });

  it('an answer and a check-in made in chat change the tiles and the arrival chart without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    const started = Date.now();
    await t!.sim.ask('dm-zhouting', 'zhouting', `会议 回复 #${meetingId} 参加`);
    await expect.poll(() => tileValue('rsvp'), WAIT).toBe('33.3%');
    await t!.sim.ask('dm-huangmin', 'huangmin', `会议 回复 #${meetingId} 参加`);
    await t!.sim.ask('dm-huangmin', 'huangmin', `签到 #${meetingId}`);
    await expect.poll(() => tileValue('arrival'), WAIT).toBe('50%');
    await expect.poll(() => arrivalCounts(), WAIT).toEqual([1]);
    expect(await tileValue('rsvp')).toBe('66.7%');
    const elapsed = Date.now() - started;
    // The same document: nothing reloaded it.
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    // The attendee board followed too, with the phone masked and the check-in time shown.
    await expect.poll(() => page.locator('#attendee-rows tr', { hasText: '黄敏' }).innerText(), WAIT).toMatch(/黄敏[\s\S]*参加[\s\S]*\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: join(RESULTS_DIR, 'console.png'), fullPage: true });
    expect(elapsed).toBeLessThan(20_000);
  });

  it('fits a phone: no sideways scrolling of the page', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.reload();
    await page.locator('[data-kpi="rsvp"]').waitFor(WAIT);
    await expect.poll(() => tileValue('rsvp'), WAIT).toBe('66.7%');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(RESULTS_DIR, 'console-phone.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('reconnects after a server restart and shows what happened meanwhile', async () => {
    const port = Number(new URL(t!.baseUrl).port);
    await t!.stop();
    await expect.poll(() => page.locator('#live').innerText(), WAIT).toBe('连接中断，正在重连…');
    // The same database, Redis and port: the browser's session and page stay as they are.
    const config = loadConfig(t!.env);
    again = await createHuiwu(config, config.REDIS_URL!);
    await again.server.listen({ port, host: '127.0.0.1' });
    const sim = new SimClient(t!.baseUrl, again.simulator);
    await sim.ask('dm-wujun', 'wujun', `会议 回复 #${meetingId} 参加`);
    await expect.poll(() => page.locator('#live').innerText(), WAIT).toBe('实时更新中');
    await expect.poll(() => tileValue('rsvp'), WAIT).toBe('100%');
    await sim.ask('dm-wujun', 'wujun', `签到 #${meetingId}`);
    await expect.poll(() => tileValue('arrival'), WAIT).toBe('66.7%');
    // Errors while the server was away (the stream, a refetch) are expected; none after it came back.
    finished = true;
  });
});
