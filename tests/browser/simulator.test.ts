/**
 * The simulator page in a real headless Chromium against the real app: chat in the group,
 * set a reminder, receive its card in the DM and click 知道了; then the same page on a phone-sized
 * screen in another time zone than the bot's.
 *
 * Needs Chromium (Debian's `chromium`, or CHROMIUM_PATH). Without it the test is skipped with a
 * warning, except in CI (CI set), where a missing browser is a failure.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULTS_DIR, hasChromium, launchChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/harness.js';

/** Generous for a 2-core machine; the waits return as soon as the page shows the thing. */
const WAIT = { timeout: 20_000 };
/** The bot writes times in HUIWU_TIMEZONE; the page must show the same clock whatever the browser's zone. */
const BOT_ZONE = 'Asia/Shanghai';
const PHONE = { width: 375, height: 740 };

/** `HH:mm` and `YYYY-MM-DD HH:mm:ss` of an instant in `timeZone`, computed here independently of the page. */
function clock(iso: string, timeZone: string): { short: string; full: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return { short: `${parts.hour}:${parts.minute}`, full: `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}` };
}

/**
 * Fails unless the element's box lies fully inside the viewport (the phone's unless told). Polled:
 * the page re-renders the conversation list on live updates and the drawer slides in.
 */
async function expectOnScreen(locator: ReturnType<Page['locator']>, what: string, viewport = PHONE): Promise<void> {
  const where = async () => {
    const box = await locator.boundingBox({ timeout: WAIT.timeout });
    if (!box) return { what, rendered: false };
    const { x, y, width, height } = box;
    return { what, rendered: true, left: x >= 0, right: x + width <= viewport.width, top: y >= 0, bottom: y + height <= viewport.height };
  };
  await expect.poll(where, WAIT).toEqual({ what, rendered: true, left: true, right: true, top: true, bottom: true });
}

describe.skipIf(!hasChromium)('simulator page (headless Chromium)', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let phoneContext: BrowserContext | undefined;
  let phone: Page | undefined;
  const pageErrors: string[] = [];
  let finished = false;
  let phoneFinished = false;

  const watch = (p: Page) => {
    p.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    p.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console.error: ${message.text()}`);
    });
  };

  beforeAll(async () => {
    t = await startTestApp({ HUIWU_TIMEZONE: BOT_ZONE });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 820 }, locale: 'zh-CN', timezoneId: BOT_ZONE });
    watch(page);
  });

  afterAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    if (page && !finished) await page.screenshot({ path: join(RESULTS_DIR, 'simulator-failure.png'), fullPage: true }).catch(() => undefined);
    if (phone && !phoneFinished) await phone.screenshot({ path: join(RESULTS_DIR, 'simulator-mobile-failure.png') }).catch(() => undefined);
    await phoneContext?.close();
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

    // In a group only messages that @ the bot reach it: the quick-insert button addresses it.
    const input = page.getByTestId('message-input');
    await expect.poll(() => page.getByTestId('address-hint').innerText()).toContain('收不到');
    await page.getByTestId('mention-bot').click();
    expect(await input.inputValue()).toBe('@会务助手 ');
    await input.pressSequentially('帮助');
    expect(await page.getByTestId('address-hint').innerText()).toContain('会务助手');
    await input.press('Enter');
    await page.locator('[data-testid=message][data-from=wangfang]', { hasText: '帮助' }).waitFor(WAIT);
    await page.locator('[data-testid=message][data-from=bot]', { hasText: '提醒' }).first().waitFor(WAIT);
    expect(await input.inputValue()).toBe('');

    await input.fill('@会务助手 提醒 1秒后 浏览器测试');
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

  it('fits a 375 px phone and shows times in the bot\'s zone, not the browser\'s', async () => {
    phoneContext = await browser!.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
      locale: 'zh-CN',
      // Twelve or thirteen hours from Shanghai: a page using the browser's zone shows another clock.
      timezoneId: 'America/New_York',
    });
    phone = await phoneContext.newPage();
    watch(phone);
    await phone.goto(`${t!.baseUrl}/#prep-group`);
    await phone.getByTestId('chat-name').filter({ hasText: '会务筹备群' }).waitFor(WAIT);

    // The speaker picker is on screen and works.
    const speaker = phone.getByTestId('speaker-select');
    await expectOnScreen(speaker, 'speaker picker');
    await speaker.selectOption('zhouting');
    expect(await speaker.inputValue()).toBe('zhouting');

    // A long message (with an unbreakable URL) wraps inside the screen; no sideways scrolling.
    const long = `请大家注意：${'明天上午八点半在主会场门口集合，统一领取胸牌和会议资料，'.repeat(5)}资料在 https://example.com/${'materials-'.repeat(12)}`;
    const input = phone.getByTestId('message-input');
    await input.fill(long);
    await phone.getByTestId('send-button').click();
    const mine = phone.locator('[data-testid=message][data-from=zhouting]').filter({ hasText: '资料在' }).last();
    const bubble = mine.getByTestId('message-text');
    await bubble.waitFor(WAIT);
    await bubble.scrollIntoViewIfNeeded();
    await expectOnScreen(bubble, 'long bubble');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // Its time is the bot's clock (Shanghai), not New York's.
    const id = Number(await mine.getAttribute('data-id'));
    const stored = (await t!.sim.messages('prep-group')).find((m) => m.id === id)!;
    const time = mine.locator('time');
    expect(await time.innerText()).toBe(clock(stored.at, BOT_ZONE).short);
    expect(await time.getAttribute('title')).toBe(clock(stored.at, BOT_ZONE).full);
    mkdirSync(RESULTS_DIR, { recursive: true });
    await phone.screenshot({ path: join(RESULTS_DIR, 'simulator-mobile-group.png') });

    // The same holds on the narrowest and widest common phones.
    for (const viewport of [{ width: 360, height: 640 }, { width: 414, height: 896 }]) {
      await phone.setViewportSize(viewport);
      await expectOnScreen(speaker, `speaker picker at ${viewport.width} px`, viewport);
      await bubble.scrollIntoViewIfNeeded();
      await expectOnScreen(bubble, `long bubble at ${viewport.width} px`, viewport);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    }
    await phone.setViewportSize(PHONE);

    // An organizer sets a reminder through the @会务助手 button.
    await speaker.selectOption('wangfang');
    await phone.getByTestId('mention-bot').click();
    await input.pressSequentially('提醒 1秒后 手机测试');
    await input.press('Enter');
    await phone.locator('[data-testid=message][data-from=bot]', { hasText: '手机测试' }).waitFor(WAIT);

    // The conversation list is folded away on a phone; the toggle opens it and picking a chat closes it.
    const dm = phone.getByTestId('conversation-dm-wangfang');
    expect(await dm.isVisible()).toBe(false);
    await phone.getByTestId('conversations-toggle').click();
    await dm.waitFor({ state: 'visible', ...WAIT });
    // The drawer slides in: wait until it is all the way in.
    await phone.waitForFunction(() => document.getElementById('sidebar')?.getBoundingClientRect().left === 0, undefined, WAIT);
    await expectOnScreen(dm, 'DM entry in the conversation list');
    await phone.screenshot({ path: join(RESULTS_DIR, 'simulator-mobile-drawer.png') });
    await dm.click();
    await phone.getByTestId('chat-name').filter({ hasText: '王芳' }).waitFor(WAIT);
    await dm.waitFor({ state: 'hidden', ...WAIT });

    // The reminder card fits the screen and its button works.
    const card = phone.getByTestId('card').filter({ hasText: '手机测试' });
    await card.waitFor(WAIT);
    await card.scrollIntoViewIfNeeded();
    await expectOnScreen(card, 'reminder card');
    const ack = card.getByTestId('card-action-reminder.ack');
    await expectOnScreen(ack, 'card button');
    await ack.click();
    await card.getByTestId('card-state').filter({ hasText: '已知晓' }).waitFor(WAIT);
    const cardId = await card.getAttribute('data-card-id');
    const cardMessage = (await t!.sim.messages('dm-wangfang')).find((m) => m.card?.id === cardId)!;
    const cardTime = phone.locator('[data-testid=message]', { has: card }).locator('time');
    expect(await cardTime.innerText()).toBe(clock(cardMessage.at, BOT_ZONE).short);

    expect(pageErrors).toEqual([]);
    await phone.screenshot({ path: join(RESULTS_DIR, 'simulator-mobile.png') });
    phoneFinished = true;
  });
});
