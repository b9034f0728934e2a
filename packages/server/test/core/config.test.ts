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

  it('names the environment variable of a bad value and checks settings against each other', () => {
    try {
      configFromEnv({ XINBOX_RPC_TIMEOUT_MS: '5s', XINBOX_CANARY: 'yes', XINBOX_ROLES: 'gateway,chat', XINBOX_PRESENCE_REFRESH_MS: '120000' });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        'canary must be true or false, got "yes" (XINBOX_CANARY)',
        'roles may only name gateway, logic, access, api, got "gateway,chat" (XINBOX_ROLES)',
        'rpcTimeoutMs must be an integer in [100, 600000], got "5s" (XINBOX_RPC_TIMEOUT_MS)',
        'presenceTtlMs must be greater than presenceRefreshMs (presence would lapse between refreshes)',
        'routeTtlMs must be greater than presenceRefreshMs (routes would lapse between refreshes)',
      ]);
    }
  });

  it('turns every former hard-coded tunable into a setting', () => {
    const c = configFromEnv({
      XINBOX_LEASE_TTL_MS: '30000', XINBOX_PRESENCE_REFRESH_MS: '5000', XINBOX_PRESENCE_TTL_MS: '20000', XINBOX_ROUTE_TTL_MS: '15000',
      XINBOX_RPC_TIMEOUT_MS: '2500', XINBOX_ROOM_TICK_MS: '20', XINBOX_ROOM_USER_SEND_PER_SEC: '10', XINBOX_CANARY: 'true',
      XINBOX_CANARY_CLIENT_VERSIONS: '2.1.', XINBOX_REGION: 'cn-east', XINBOX_PUBLIC_HOST: 'im.example.com', XINBOX_MEMBERSHIP_TTL_MS: '15000',
    });
    expect(c).toMatchObject({
      leaseTtlMs: 30_000, presenceRefreshMs: 5_000, presenceTtlMs: 20_000, routeTtlMs: 15_000, rpcTimeoutMs: 2_500, roomTickMs: 20,
      roomUserSendPerSec: 10, canary: true, canaryClientVersions: '2.1.', region: 'cn-east', publicHost: 'im.example.com', membershipTtlMs: 15_000,
    });
    expect(defaults).toMatchObject({ leaseTtlMs: 60_000, presenceRefreshMs: 20_000, rpcTimeoutMs: 5_000, roomTickMs: 50 });
    expect(Object.isFrozen(c.roles)).toBe(true);
  });
});
