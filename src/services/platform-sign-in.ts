/**
 * Sign-in by the chat platform itself, for pages opened from its app menu: WeCom's web OAuth
 * (authorize redirect, then `code` -> userid) and DingTalk's H5 micro-app 免登 (`authCode` ->
 * staff id). Built from the adapters' optional `userIdFromAuthCode` / `signInUrl`, so the web
 * routes never see an adapter; a platform without them offers no such sign-in.
 */
import type { PlatformAdapter } from '../platforms/types.js';
import { internalId } from './ids.js';

export type SignInPlatform = 'wecom' | 'dingtalk';

export class PlatformSignIn {
  constructor(private readonly adapters: ReadonlyArray<Pick<PlatformAdapter, 'name' | 'userIdFromAuthCode' | 'signInUrl'>>) {}

  private adapter(platform: SignInPlatform) {
    return this.adapters.find((a) => a.name === platform);
  }

  /** Whether `platform` runs here and can vouch for a browser's user. */
  offers(platform: SignInPlatform): boolean {
    return Boolean(this.adapter(platform)?.userIdFromAuthCode);
  }

  /** The platform's authorize page that comes back to `redirectUri` with a code (WeCom), or null. */
  signInUrl(platform: SignInPlatform, redirectUri: string, state: string): string | null {
    return this.adapter(platform)?.signInUrl?.(redirectUri, state) ?? null;
  }

  /** Our user id for the person an authorization code stands for; null: not a valid code. */
  async userId(platform: SignInPlatform, code: string): Promise<string | null> {
    const exchange = this.adapter(platform)?.userIdFromAuthCode;
    if (!exchange) return null;
    const external = await exchange.call(this.adapter(platform), code);
    return external ? internalId(platform, external) : null;
  }
}
