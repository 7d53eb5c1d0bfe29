/**
 * The simulator page in a real headless Chromium against the real app: chat in the group,
 * set a reminder, receive its card in the DM and click 知道了.
 *
 * Needs Chromium (Debian's `chromium`, or CHROMIUM_PATH). Without it the test is skipped with a
 * warning, except in CI (CI set), where a missing browser is a failure.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(executablePath);
if (!hasChromium) {
  const why = `Chromium not found at ${executablePath} (install Debian's chromium or set CHROMIUM_PATH)`;
  if (process.env.CI) throw new Error(`browser test cannot run in CI: ${why}`);
  console.warn(`[browser test] skipped: ${why}`);
}

const RESULTS_DIR = join(process.cwd(), 'test-results');
/** Generous for a 2-core machine; the waits return as soon as the page shows the thing. */
const WAIT = { timeout: 20_000 };

describe.skipIf(!hasChromium)('simulator page (headless Chromium)', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let finished = false;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 820 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console.error: ${message.text()}`);
    });
  });

  afterAll(async () => {
    if (page && !finished) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      await page.screenshot({ path: join(RESULTS_DIR, 'simulator-failure.png'), fullPage: true }).catch(() => undefined);
    }
    await browser?.close();
    await t?.close();
  });

  it('chats in the group, sets a reminder and acknowledges its card in the DM', async () => {
    await page.goto(`${t!.baseUrl}/`);

    // The conversation list: the group first, then a DM per demo user with name, role and department.
    const group = page.getByTestId('conversation-prep-group');
    await group.waitFor(WAIT);
    const conversationIds = await page
      .locator('[data-testid^="conversation-"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')));
    expect(conversationIds[0]).toBe('conversation-prep-group');
    expect(conversationIds).toContain('conversation-dm-wangfang');
    const dm = page.getByTestId('conversation-dm-wangfang');
    expect(await dm.innerText()).toMatch(/王芳[\s\S]*会务组织者[\s\S]*行政部/);

    // Speak as the first organizer (王芳) in the group.
    await group.click();
    const speaker = page.getByTestId('speaker-select');
    expect(await speaker.inputValue()).toBe('wangfang');

    const input = page.getByTestId('message-input');
    await input.fill('帮助');
    await input.press('Enter');
    await page.locator('[data-testid=message][data-from=wangfang]', { hasText: '帮助' }).waitFor(WAIT);
    await page.locator('[data-testid=message][data-from=bot]', { hasText: '提醒' }).first().waitFor(WAIT);
    expect(await input.inputValue()).toBe('');

    await input.fill('提醒 1秒后 浏览器测试');
    await page.getByTestId('send-button').click();
    await page.locator('[data-testid=message][data-from=bot]', { hasText: '已设置提醒' }).waitFor(WAIT);

    // The reminder goes to 王芳's DM while the group is open: the DM gets an unread badge (live update).
    await page.getByTestId('unread-dm-wangfang').waitFor(WAIT);

    // Open the DM: the speaker follows the DM's owner; the reminder card is there.
    await speaker.selectOption('zhaolei');
    await dm.click();
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=speaker-select]') as HTMLSelectElement | null)?.value === 'wangfang',
      undefined,
      WAIT,
    );
    expect(await page.getByTestId('unread-dm-wangfang').count()).toBe(0);

    const card = page.getByTestId('card').filter({ hasText: '浏览器测试' });
    await card.waitFor(WAIT);
    expect(await card.getAttribute('data-card-id')).toBeTruthy();
    const ack = card.getByTestId('card-action-reminder.ack');
    expect(await ack.innerText()).toBe('知道了');
    await ack.click();

    // The click's result is shown on the card; then the card updates in place: the state line
    // says 已知晓 and the buttons are gone.
    await card.getByTestId('card-note').filter({ hasText: '已确认' }).waitFor(WAIT);
    await card.getByTestId('card-state').filter({ hasText: '已知晓' }).waitFor(WAIT);
    await ack.waitFor({ state: 'detached', ...WAIT });

    expect(pageErrors).toEqual([]);

    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: join(RESULTS_DIR, 'simulator.png') });
    finished = true;
  });
});
