/**
 * JS-SDK signatures for our pages opened inside a chat platform's app (WeCom `ww.register`,
 * DingTalk `dd.config`, so the scanner page can use the phone's scanner), reached through the adapters' optional
 * `jsapiSignature` capability. A platform without it gives none: the page falls back to the camera.
 */
import type { JsapiSignature, PlatformAdapter, PlatformName } from '../platforms/types.js';

export class PlatformJsapi {
  constructor(private readonly adapters: ReadonlyArray<Pick<PlatformAdapter, 'name' | 'jsapiSignature'>>) {}

  /** Whether `platform` can sign pages at all. */
  has(platform: PlatformName): boolean {
    return Boolean(this.adapters.find((a) => a.name === platform)?.jsapiSignature);
  }

  async signature(platform: PlatformName, kind: 'corp' | 'agent', url: string, fresh = false): Promise<JsapiSignature | null> {
    const adapter = this.adapters.find((a) => a.name === platform);
    return adapter?.jsapiSignature ? adapter.jsapiSignature(kind, url, fresh) : null;
  }
}
