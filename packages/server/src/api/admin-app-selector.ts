/**
 * The operator's app selector (ADR 0013): usernames are unique per app, so
 * every admin route that finds a user by name takes an optional `app`
 * (query or body). Absent means `default`, the app every user belonged to
 * before apps existed; an app that does not exist is APP_NOT_FOUND rather
 * than an empty answer, so a typo is not mistaken for "no such user".
 */
import { Errors, XinboxError } from '@xinbox/protocol';
import { DEFAULT_APP_ID, type AppId, type AppRecord } from '../core/ports/app-store.js';

/** The part of AppDirectory the selector needs. */
export interface AppLookup {
  get(id: AppId): Promise<AppRecord | null>;
}

export const appSelectorSchema = {
  type: 'string', minLength: 1, maxLength: 32,
  description: 'The app whose user is meant (usernames are unique per app); absent = `default`, unknown = APP_NOT_FOUND',
} as const;

/** The selected app id, checked to exist. Without a directory only `default` exists. */
export async function selectedApp(apps: AppLookup | null | undefined, raw: string | undefined): Promise<AppId> {
  if (raw === undefined || raw === DEFAULT_APP_ID) return DEFAULT_APP_ID;
  if (!apps || !(await apps.get(raw))) throw new XinboxError(Errors.APP_NOT_FOUND, `no app ${raw}`);
  return raw;
}
