import { create, Platform as WirePlatform, UserPresenceSchema, type UserPresence as WireUserPresence } from '@xinbox/protocol';
import type { Platform, UserPresence } from '../model.js';

const PLATFORM: Record<Platform, WirePlatform> = {
  ios: WirePlatform.IOS,
  android: WirePlatform.ANDROID,
  web: WirePlatform.WEB,
  desktop: WirePlatform.DESKTOP,
  other: WirePlatform.OTHER,
};

export function toWirePresence(p: UserPresence): WireUserPresence {
  return create(UserPresenceSchema, {
    userId: String(p.userId),
    online: p.online,
    lastSeen: p.lastSeen,
    devices: p.devices.map((d) => ({ deviceId: d.deviceId, platform: PLATFORM[d.platform], online: d.online, lastSeen: d.lastSeen })),
  });
}
