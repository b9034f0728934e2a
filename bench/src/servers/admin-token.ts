import { randomBytes } from 'node:crypto';

/**
 * Xinbox serves /v1/metrics only with its admin token (XINBOX_ADMIN_TOKEN).
 * The bench gives every server it starts this token and sends it on every
 * metrics read; for an external server, set BENCH_ADMIN_TOKEN to its token.
 */
export const BENCH_ADMIN_TOKEN = process.env.BENCH_ADMIN_TOKEN ?? `bench-${randomBytes(16).toString('hex')}`;

export const adminHeaders = (): Record<string, string> => ({ authorization: `Bearer ${BENCH_ADMIN_TOKEN}` });
