import { describe, expect, it } from 'vitest';
import { buildConfig, configFromEnv, ConfigError, defaults, envName } from '../../src/config.js';

describe('config', () => {
  it('has working defaults and is frozen', () => {
    const c = buildConfig();
    expect(c.port).toBe(8080);
    expect(c.storage).toBe('sqlite');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads XINBOX_* variables with type checks', () => {
    const c = configFromEnv({ XINBOX_PORT: '9000', XINBOX_ROLES: 'gateway,api', XINBOX_SQLITE_SYNC: 'full' });
    expect(c.port).toBe(9000);
    expect(c.roles).toEqual(['gateway', 'api']);
    expect(c.sqliteSync).toBe('full');
    expect(envName('heartbeatTimeoutMs')).toBe('XINBOX_HEARTBEAT_TIMEOUT_MS');
  });

  it('lists every problem at once with clear messages', () => {
    try {
      configFromEnv({ XINBOX_PORT: 'eighty', XINBOX_STORAGE: 'mongo', XINBOX_TYPO: '1' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems).toEqual(['unknown environment variable XINBOX_TYPO']);
    }
    try {
      buildConfig({ port: 'eighty', storage: 'mongo', pingIntervalMs: 90_000, heartbeatTimeoutMs: 60_000 });
      expect.unreachable();
    } catch (e) {
      const msg = (e as ConfigError).message;
      expect(msg).toContain('port must be an integer');
      expect(msg).toContain('storage must be one of sqlite, memory, postgres');
      expect(msg).toContain('heartbeatTimeoutMs must be greater than pingIntervalMs');
    }
    expect(Object.keys(defaults).length).toBeGreaterThan(10);
  });
});
