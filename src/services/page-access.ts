/**
 * Sign-in to Huiwu's web pages without a password: the bot DMs a personal link (single use,
 * short-lived, bound to one user) and redeeming it opens a browser session; inside WeCom or
 * DingTalk the platform's own sign-in opens one too. Tokens are random; only their SHA-256 is
 * stored, so a copy of the database signs nobody in.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';

export type SessionVia = 'link' | 'wecom' | 'dingtalk';

export interface PageSessionInfo {
  userId: string;
  /** Must come back with every write from the page (X-CSRF-Token). */
  csrf: string;
  expiresAt: Date;
}

/** Why a link opens nothing; each has its own page. */
export type LinkRefusal = 'unknown' | 'used' | 'expired' | 'other-user';

export type Redemption =
  | { ok: true; target: string; session: { token: string; expiresAt: Date } }
  | { ok: false; reason: LinkRefusal; userId?: string };

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');
/** Our own absolute path: one leading slash, no scheme, no protocol-relative `//host`. */
export const isLocalPath = (path: string) => /^\/(?![/\\])[^\s]*$/.test(path);

export class PageAccess {
  constructor(
    private readonly db: PrismaClient,
    private readonly config: Config,
    private readonly clock: () => Date,
  ) {}

  /** The public base of every link, without a trailing slash. */
  get baseUrl(): string {
    return (this.config.HUIWU_PUBLIC_URL ?? `http://localhost:${this.config.PORT}`).replace(/\/+$/, '');
  }

  /** A single-use sign-in link for `userId` that opens `target` (a path of ours). */
  async issueLink(userId: string, target: string): Promise<string> {
    if (!isLocalPath(target)) throw new Error(`Not a local path: ${target}`);
    const token = newToken();
    await this.db.pageLink.create({
      data: { tokenHash: hash(token), userId, target, expiresAt: new Date(this.clock().getTime() + this.config.HUIWU_PAGE_LINK_TTL.ms) },
    });
    return `${this.baseUrl}/auth/link/${token}`;
  }

  /**
   * Uses a link once. `currentUserId` is the user of a session the browser already has: a link of
   * someone else is refused rather than silently switching people on a shared phone.
   */
  async redeem(token: string, currentUserId?: string): Promise<Redemption> {
    const link = await this.db.pageLink.findUnique({ where: { tokenHash: hash(token) } });
    if (!link) return { ok: false, reason: 'unknown' };
    if (link.usedAt) return { ok: false, reason: 'used', userId: link.userId };
    const now = this.clock();
    if (link.expiresAt <= now) return { ok: false, reason: 'expired', userId: link.userId };
    if (currentUserId && currentUserId !== link.userId) return { ok: false, reason: 'other-user', userId: link.userId };
    // The conditional update is the single-use guarantee when two requests race.
    const claimed = await this.db.pageLink.updateMany({ where: { id: link.id, usedAt: null }, data: { usedAt: now } });
    if (claimed.count !== 1) return { ok: false, reason: 'used', userId: link.userId };
    return { ok: true, target: link.target, session: await this.openSession(link.userId, 'link') };
  }

  /** A browser session for a user the platform vouched for (WeCom OAuth, DingTalk auth code) or a redeemed link. */
  async openSession(userId: string, via: SessionVia): Promise<{ token: string; expiresAt: Date }> {
    const token = newToken();
    const expiresAt = new Date(this.clock().getTime() + this.config.HUIWU_PAGE_SESSION_TTL.ms);
    await this.db.pageSession.create({ data: { tokenHash: hash(token), userId, via, csrf: newToken(), expiresAt } });
    return { token, expiresAt };
  }

  /** The session a cookie stands for, if it is still open. */
  async session(token: string | undefined): Promise<PageSessionInfo | undefined> {
    if (!token) return undefined;
    const row = await this.db.pageSession.findUnique({ where: { tokenHash: hash(token) } });
    if (!row || row.endedAt || row.expiresAt <= this.clock()) return undefined;
    return { userId: row.userId, csrf: row.csrf, expiresAt: row.expiresAt };
  }

  /** Ends every open session of a user (`控制台 退出`) and voids their unused links; returns how many sessions ended. */
  async signOut(userId: string): Promise<number> {
    const now = this.clock();
    await this.db.pageLink.updateMany({ where: { userId, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } });
    const ended = await this.db.pageSession.updateMany({ where: { userId, endedAt: null, expiresAt: { gt: now } }, data: { endedAt: now } });
    return ended.count;
  }

  /** Ends the one session a cookie stands for (the page's own sign-out button). */
  async end(token: string): Promise<void> {
    await this.db.pageSession.updateMany({ where: { tokenHash: hash(token), endedAt: null }, data: { endedAt: this.clock() } });
  }
}
