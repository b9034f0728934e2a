/**
 * Field types of the config schema (config.ts). Each accepts the typed value
 * (a JSON config file, tests) or its environment-variable spelling (a string),
 * and fails with a message that completes "<key> ...".
 */
import { z } from 'zod';

/** Sections of the README configuration table, in order. */
export const SETTING_GROUPS = {
  server: 'Server',
  storage: 'Storage',
  cluster: 'Cluster',
  identity: 'Identity',
  connections: 'Connections',
  messaging: 'Messaging',
  rooms: 'Live rooms',
  social: 'Relationships and privacy',
  service: 'Customer service (shops, routing)',
  media: 'Media (uploads and downloads)',
  limits: 'Rate limits and fairness',
  admin: 'Administration and observability',
  platform: 'Platform integration (webhooks, push notifications, server API, event log; docs/integration.md)',
} as const;
export type SettingGroup = keyof typeof SETTING_GROUPS;

const numberFromString = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v);

/** An integer in [min, max]. */
export const int = (min: number, max: number) => {
  const m = `must be an integer in [${min}, ${max}]`;
  return z.preprocess(numberFromString, z.number({ error: m }).int(m).min(min, m).max(max, m));
};

export const str = z.string({ error: 'must be a string' });

export const oneOf = <const T extends readonly [string, ...string[]]>(...allowed: T) =>
  z.enum(allowed, { error: `must be one of ${allowed.join(', ')}` });

/** true/false, also "true", "1", "false", "0". */
export const bool = z.preprocess(
  (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
  z.boolean({ error: 'must be true or false' }),
);

/** A non-empty list of allowed words: an array, or a comma-separated string. */
export const commaList = <const T extends readonly [string, ...string[]]>(allowed: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
    z.array(z.enum(allowed, { error: `may only name ${allowed.join(', ')}` }), { error: 'must be a comma list' })
      .min(1, 'must name at least one')
      .readonly(),
  );

/** An http(s) URL, or empty for "off". */
export const httpUrl = z.string({ error: 'must be a string' }).refine((v) => v === '' || /^https?:\/\/\S+$/.test(v), 'must be an http(s) URL or empty');

/** A process count: `auto` (decided at start from the machine) or an integer in [min, max]. */
export const autoOrInt = (min: number, max: number) => {
  const m = `must be auto or an integer in [${min}, ${max}]`;
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && v.trim() !== 'auto' ? Number(v) : v),
    z.union([z.literal('auto'), z.number().int().min(min).max(max)], { error: m }),
  );
};
