/**
 * Nothing is lost across a crash: a reminder set before the app is killed (SIGKILL, no clean
 * shutdown) arrives once after it starts again, on time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { removeTestData, testEnv } from '../support/harness.js';
import { SimClient } from '../support/sim-client.js';

const env = await testEnv();
let running: AppProcess | null = null;

afterAll(async () => {
  running?.child.kill('SIGKILL');
  await removeTestData(env);
});

describe('restart', () => {
  it('keeps a pending reminder through a crash and delivers it once', async () => {
    running = await startAppProcess(env);
    let sim = new SimClient(running.baseUrl);
    const sentAt = Date.now();
    const reply = await sim.ask('prep-group', 'wangfang', '提醒 15秒后 重启后也要到');
    expect(reply.text).toContain('已设置提醒');

    running.child.kill('SIGKILL');
    await running.exited;
    running = await startAppProcess(env);
    sim = new SimClient(running.baseUrl);

    const card = await sim.nextBotMessage('dm-wangfang', 0, (m) => m.card?.body === '重启后也要到', 30_000);
    const lateness = Date.parse(card.at) - (sentAt + 15000);
    expect(lateness).toBeGreaterThan(-1000);
    expect(lateness).toBeLessThan(2000);

    // A clean stop and start later: still exactly one card, and the answer still works.
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    running = await startAppProcess(env);
    sim = new SimClient(running.baseUrl);
    const cards = (await sim.messages('dm-wangfang')).filter((m) => m.card?.body === '重启后也要到');
    expect(cards).toHaveLength(1);
    const ack = await sim.click(card.card!.id, 'wangfang', 'reminder.ack');
    expect(ack.body.accepted).toBe(true);
  });
});
