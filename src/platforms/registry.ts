/**
 * Which platforms run, from the configuration: each platform whose credentials are set, and the
 * local simulator when none is (or when HUIWU_SIMULATOR=on). The only module outside the platform
 * folders that imports them (a rule tests/unit/layers.test.ts enforces). A real platform's adapter
 * (and its SDK: the DingTalk Stream and WeCom bot clients took ~0.6 s and ~25 MB each) is loaded
 * only when that platform is configured.
 */
import pino, { type Logger } from 'pino';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { OnceLedger } from '../redis/once.js';
import type { Directory } from '../services/directory.js';
import { SimulatorAdapter } from './simulator/adapter.js';
import type { CardRefPort, MediaPort, PlatformAdapter, SignInLinkPort } from './types.js';
import { wecomSettings } from './wecom/settings.js';

export interface AdapterDeps {
  config: Config;
  /** The simulator's own store (it is its own platform server); real platforms never touch the database. */
  db: PrismaClient;
  directory: Directory;
  cardRefs: CardRefPort;
  media: MediaPort;
  log?: Logger;
  /** Single-use keys shared by every instance (DingTalk callback signatures). */
  once?: OnceLedger;
  /** Sign-in links to our pages (the simulator page offers each user a console link). */
  signInLinks?: SignInLinkPort;
}

export async function createAdapters(deps: AdapterDeps): Promise<PlatformAdapter[]> {
  const { config, db, directory, cardRefs, media } = deps;
  const platforms: PlatformAdapter[] = [];
  const wecom = wecomSettings(config);
  if (wecom) {
    const { WecomAdapter } = await import('./wecom/adapter.js');
    platforms.push(new WecomAdapter({ cardRefs, media, directory, settings: wecom, log: (deps.log ?? pino({ level: config.LOG_LEVEL })).child({ platform: 'wecom' }), ...(deps.once ? { once: deps.once } : {}) }));
  }
  if (config.DINGTALK_CLIENT_ID) {
    const { DingTalkAdapter } = await import('./dingtalk/adapter.js');
    platforms.push(new DingTalkAdapter({ config, cardRefs, media, directory, log: deps.log ?? pino({ level: config.LOG_LEVEL }), ...(deps.once ? { once: deps.once } : {}) }));
  }
  const simulator = config.HUIWU_SIMULATOR === 'on' || (config.HUIWU_SIMULATOR === 'auto' && platforms.length === 0);
  if (simulator) platforms.push(new SimulatorAdapter(db, directory, config, deps.signInLinks));
  return platforms;
}

export type { SimulatorAdapter };

/** The local simulator among the running platforms, when it runs (tests and the demo reach it). */
export function simulatorOf(adapters: readonly PlatformAdapter[]): SimulatorAdapter | undefined {
  return adapters.find((a): a is SimulatorAdapter => a instanceof SimulatorAdapter);
}
