/**
 * Our ids for users and conversations are `<platform>:<platform's id>`: stable across restarts,
 * and mapping back to the platform needs no lookup.
 */
import type { PlatformName } from '../platforms/types.js';

const PLATFORMS: readonly PlatformName[] = ['simulator', 'wecom', 'dingtalk'];

export function internalId(platform: PlatformName, externalId: string): string {
  return `${platform}:${externalId}`;
}

export function externalIdOf(id: string): string {
  const i = id.indexOf(':');
  return i < 0 ? id : id.slice(i + 1);
}

/** The platform an internal id belongs to. */
export function platformOfId(id: string): PlatformName {
  const prefix = id.slice(0, id.indexOf(':'));
  const found = PLATFORMS.find((p) => p === prefix);
  if (!found) throw new Error(`Not an internal id: ${id}`);
  return found;
}
