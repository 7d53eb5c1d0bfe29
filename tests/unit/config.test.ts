import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HUIWU_TIMEZONE).toBe('Asia/Shanghai');
    expect(config.DATABASE_URL).toBe('file:./data/huiwu.db');
    expect(config.REDIS_URL).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['PORT', 'abc', /PORT="abc" is invalid: expected an integer between 1 and 65535/],
    ['PORT', '70000', /PORT="70000" is invalid/],
    ['HUIWU_TIMEZONE', 'Mars/Olympus', /HUIWU_TIMEZONE="Mars\/Olympus" is invalid: expected an IANA time zone/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL="mysql:\/\/x" is invalid: expected a SQLite URL such as file:.\/data\/huiwu.db or a PostgreSQL URL/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL="localhost:6379" is invalid/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud" is invalid/],
  ])('rejects %s=%s naming the variable', (key, value, message) => {
    expect(() => loadConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrow(message);
  });

  it('runs everything in one process unless told otherwise, and spawns worker processes only from a web process', () => {
    expect(loadConfig({})).toMatchObject({ HUIWU_ROLE: 'all', HUIWU_WORKER_PROCESSES: 0 });
    expect(loadConfig({ HUIWU_ROLE: 'web', HUIWU_WORKER_PROCESSES: '2' })).toMatchObject({ HUIWU_ROLE: 'web', HUIWU_WORKER_PROCESSES: 2 });
    expect(() => loadConfig({ HUIWU_ROLE: 'queue' })).toThrow(/HUIWU_ROLE="queue" is invalid/);
    expect(() => loadConfig({ HUIWU_ROLE: 'worker', HUIWU_WORKER_PROCESSES: '1' })).toThrow(/HUIWU_WORKER_PROCESSES is for the web process/);
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', HUIWU_TIMEZONE: 'nowhere' })).toThrow(/PORT[\s\S]*HUIWU_TIMEZONE/);
  });

  it('accepts unix socket and TLS Redis URLs', () => {
    expect(loadConfig({ REDIS_URL: 'unix:///tmp/r.sock' }).REDIS_URL).toBe('unix:///tmp/r.sock');
    expect(loadConfig({ REDIS_URL: 'rediss://user:pw@host:6380/2' }).REDIS_URL).toBe('rediss://user:pw@host:6380/2');
  });
});

describe('resolveSecrets', () => {
  it('refuses to start outside demo mode without the PII key and admin token', async () => {
    const { resolveSecrets } = await import('../../src/secrets.js');
    expect(() => resolveSecrets(loadConfig({}), false)).toThrow(/HUIWU_PII_KEY[\s\S]*HUIWU_ADMIN_TOKEN/);
  });
  it('uses the configured values when set', async () => {
    const { resolveSecrets } = await import('../../src/secrets.js');
    const key = 'a'.repeat(64);
    const secrets = resolveSecrets(loadConfig({ HUIWU_PII_KEY: key, HUIWU_ADMIN_TOKEN: 'x'.repeat(20) }), false);
    expect(secrets.piiKey.toString('hex')).toBe(key);
    expect(secrets.adminToken).toBe('x'.repeat(20));
  });
});
