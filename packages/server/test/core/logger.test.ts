import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, stream: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } };
}

describe('logger (pino)', () => {
  it('writes one JSON object per event, at or above the configured level', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', 'xinbox', stream);
    log.debug('not written');
    log.info('started', { port: 8080 });
    log.error('request failed', new Error('boom'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', name: 'xinbox', msg: 'started', details: { port: 8080 } });
    expect(typeof lines[0]!.time).toBe('string');
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'request failed', err: { type: 'Error', message: 'boom' } });
    expect(String((lines[1]!.err as { stack: string }).stack)).toContain('logger.test.ts');
  });

  it('carries connection and request ids through child loggers', () => {
    const { lines, stream } = capture();
    const log = createLogger('debug', 'xinbox', stream).child({ node: 'n1' });
    log.child({ conn: 7, user: 'u1' }).warn('presence offline failed');
    log.child({ reqId: 'req-3' }).debug('handled');
    expect(lines[0]).toMatchObject({ node: 'n1', conn: 7, user: 'u1', msg: 'presence offline failed', level: 'warn' });
    expect(lines[1]).toMatchObject({ node: 'n1', reqId: 'req-3', level: 'debug' });
  });

  it('redacts tokens, passwords and secrets wherever they appear', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', 'xinbox', stream);
    log.info('login', { username: 'alice', password: 'hunter22', accessToken: 'eyJ.abc', refreshToken: 'r.1' });
    log.child({ req: { headers: { authorization: 'Bearer admin-secret' } } }).info('scrape');
    log.info('config', { tokenSecret: 'shh-shh-shh-shh-shh', nested: { adminToken: 'adm' } });
    const text = JSON.stringify(lines);
    for (const secret of ['hunter22', 'eyJ.abc', 'r.1', 'admin-secret', 'shh-shh', 'adm"']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ details: { username: 'alice', password: '[redacted]' } });
    expect(lines[1]).toMatchObject({ req: { headers: { authorization: '[redacted]' } } });
  });

  it('is silent at level silent', () => {
    const { lines, stream } = capture();
    const log = createLogger('silent', 'xinbox', stream);
    log.error('nothing');
    expect(lines).toEqual([]);
  });
});
