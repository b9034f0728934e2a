/**
 * Signed media URLs for <img>/<video>/<audio>, fetched once per item and
 * reused until shortly before they expire (the server signs them for
 * mediaUrlTtlMs).
 */
import type { MediaRef, XinboxClient } from '@xinbox/sdk';

const cache = new Map<string, { at: number; ref: Promise<MediaRef> }>();
const MARGIN_MS = 60_000;

export function mediaRef(client: XinboxClient, mediaId: string): Promise<MediaRef> {
  const hit = cache.get(mediaId);
  const now = Date.now();
  if (hit) return hit.ref.then((r) => (r.urlsExpireAt - MARGIN_MS > Date.now() ? r : refetch(client, mediaId, now)));
  return refetch(client, mediaId, now);
}

function refetch(client: XinboxClient, mediaId: string, now: number): Promise<MediaRef> {
  const ref = client.describeMedia(mediaId);
  cache.set(mediaId, { at: now, ref });
  ref.catch(() => cache.delete(mediaId));
  if (cache.size > 500) cache.delete(cache.keys().next().value as string);
  return ref;
}
