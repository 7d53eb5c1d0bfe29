/**
 * Invitation fan-out survives a crash: 300 invitations at 100/s, the app process killed with
 * SIGKILL while they are being sent, started again; every invitee ends with exactly one card,
 * every message is `sent`, and the group's progress card ends at 已发送 300/300.
 * (The 5,000-person version with rate figures is `npm run bench:fanout`.)
 *
 * Waiting: the app runs in another process, so the test cannot listen to its adapter directly.
 * It subscribes to the simulator's own event stream (`/sim/api/events`, which the page uses):
 * every delivered card and every progress-card update arrives as an event, and the test re-reads
 * the state through the simulator API only when one arrives. The database is polled only for the
 * last bookkeeping step (rows marked `sent` just after the platform call), which has no event.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { fanoutReport, seedDepartment, waitFor, watchSimChanges } from '../support/fanout.js';
import { removeTestData, startTestApp, testEnv, type TestApp } from '../support/harness.js';
import { SimClient, type SimMessage } from '../support/sim-client.js';

const N = 300;
const DEPARTMENT = '扩大会议代表';
const GROUP = 'prep-group';

const env = await testEnv({
  HUIWU_SIM_SEND_RATE: '100',
  HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '10000',
  // A job running when the process dies is retried once its lock expires: keep that short.
  HUIWU_JOB_LOCK_MS: '2000',
  HUIWU_FANOUT_PROGRESS_MS: '500',
});
const db = createPrisma(env.DATABASE_URL!);
let running: AppProcess | null = null;
let inProcess: TestApp | null = null;

afterAll(async () => {
  running?.child.kill('SIGKILL');
  await running?.exited;
  await db.$disconnect();
  await inProcess?.close();
  await removeTestData(env);
});

async function start(): Promise<AppProcess> {
  // Our connection stays closed while the app applies migrations at start (it reconnects on use).
  await db.$disconnect();
  running = await startAppProcess(env);
  return running;
}

/**
 * Subscribes to the change events of the app at `baseUrl`; once subscribed, returns `done`, which
 * resolves when `predicate` holds (checked once right away, then after every event), bounded.
 */
async function subscribeUntil(
  baseUrl: string,
  what: string,
  timeoutMs: number,
  predicate: (conversation: string) => boolean | Promise<boolean>,
): Promise<{ done: Promise<void> }> {
  let settle!: (error?: Error) => void;
  const done = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
  let checking = Promise.resolve();
  const check = (conversation: string) => {
    checking = checking.then(async () => {
      if (await predicate(conversation)) settle();
    }).catch((error: Error) => settle(error));
  };
  const watcher = await watchSimChanges(baseUrl, check);
  const timer = setTimeout(() => settle(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  // Subscribed first, then looked once: a change just before the subscription is not missed.
  check('');
  return {
    done: done.finally(() => {
      clearTimeout(timer);
      watcher.close();
    }),
  };
}

const isInvite = (meetingId: number) => (m: SimMessage) => m.from === 'bot' && (m.card?.id.startsWith(`inv-m${meetingId}-`) ?? false);

describe('invitation fan-out', () => {
  it('sends every card exactly once although the app is killed mid-way and restarted', async () => {
    await applyMigrations({ databaseUrl: env.DATABASE_URL! });
    const invitees = await seedDepartment(db, DEPARTMENT, N);

    let app = await start();
    let sim = new SimClient(app.baseUrl);
    const created = await sim.ask(GROUP, 'wangfang', '会议 新建 扩大会议 后天上午9点 地点 礼堂');
    const meetingId = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
    expect(meetingId).toBeGreaterThan(0);

    // Kill once a third of the invitees have their card: some sent, most not.
    const reached = new Set<string>();
    const killPoint = await subscribeUntil(app.baseUrl, `${N / 3} delivered invitations`, 20_000, (c) => {
      if (c.startsWith('dm-')) reached.add(c);
      return reached.size >= N / 3;
    });
    const invited = await sim.ask(GROUP, 'wangfang', `会议 邀请 #${meetingId} 部门 ${DEPARTMENT}`, 20_000);
    expect(invited.text).toContain(`已邀请 ${N} 人`);
    await killPoint.done;
    app.child.kill('SIGKILL');
    await app.exited;

    const deliveredBeforeRestart = await db.simMessage.count({ where: { cardId: { startsWith: `inv-m${meetingId}-` } } });
    expect(deliveredBeforeRestart).toBeGreaterThan(0);
    expect(deliveredBeforeRestart).toBeLessThan(N);

    app = await start();
    sim = new SimClient(app.baseUrl);
    const progressCard = async () => (await sim.messages(GROUP)).find((m) => m.card?.id.startsWith(`fanout-m${meetingId}-`))?.card;
    const finished = await subscribeUntil(app.baseUrl, 'the progress card to finish', 30_000, async (c) => (c === GROUP || c === '') && (await progressCard())?.state?.status === 'done');
    await finished.done;
    const final = await progressCard();
    expect(final?.body).toContain(`已发送 ${N}/${N}`);
    expect(final?.body).toContain('全部发送完成');

    // Each invitee's DM, as the simulator shows it: exactly one invitation card.
    for (const id of invitees) {
      const cards = (await sim.messages(`dm-${id}`)).filter(isInvite(meetingId));
      expect(cards, id).toHaveLength(1);
    }
    const report = await fanoutReport(db, meetingId);
    expect(report.attendees).toBe(N);
    expect(report.lost).toEqual([]);
    expect(report.duplicateCards).toBe(0);
    expect(report.duplicateConversations).toBe(0);
    expect(report.byStatus).toEqual({ sent: N });
    // Card updates and replies too: nothing left pending or failed. The row is marked `sent` just
    // after the platform call that produced the last event, so this bookkeeping is polled briefly.
    await waitFor('every outbound row sent', async () => (await db.outboundMessage.count({ where: { status: { not: 'sent' } } })) === 0, 5000, 50);
  }, 60_000);

  it('finishes an invitation whose handler was interrupted after storing the attendees', async () => {
    // The state a crash leaves between storing the attendee rows and queueing their cards; the
    // inbound job is then retried and runs the same invitation again.
    inProcess = await startTestApp();
    const t = inProcess;
    const reply = await t.sim.ask(GROUP, 'wangfang', '会议 新建 中断测试 后天上午10点');
    const meetingId = Number(/#(\d+)/.exec(reply.text ?? '')?.[1]);
    for (const [userId, name] of [['simulator:zhaolei', '赵磊'], ['simulator:zhouting', '周婷']] as const) {
      await t.app.services.db.attendee.create({ data: { meetingId, userId, name, invitedBy: 'simulator:wangfang' } });
    }
    const before = { zhaolei: await t.sim.messages('dm-zhaolei'), zhouting: await t.sim.messages('dm-zhouting') };
    const again = await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${meetingId} @赵磊 @周婷 @吴军`);
    expect(again.text).toContain('已邀请 3 人');
    for (const u of ['zhaolei', 'zhouting'] as const) {
      await t.sim.nextBotMessage(`dm-${u}`, before[u].at(-1)?.id ?? 0, isInvite(meetingId));
    }
    // Invited once for good: a repeat invites nobody.
    expect((await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${meetingId} @赵磊`)).text).toContain('已邀请 0 人');
  });
});
