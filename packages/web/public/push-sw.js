/*
 * Xinbox web client service worker: shows Web Push notifications while no
 * tab of the app is open (the server only pushes when none of the user's
 * devices is connected). Payload, as the server's Web Push adapter sends it
 * (decrypted by the browser): {title, body, badge, conversationId, tag, count}.
 * Plain JavaScript, served as-is from the site root so its scope is "/".
 */
/* global self */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let n;
  try {
    n = event.data ? event.data.json() : {};
  } catch {
    n = { title: 'Xinbox', body: event.data ? event.data.text() : '' };
  }
  const title = typeof n.title === 'string' && n.title ? n.title : 'Xinbox';
  const shown = self.registration.showNotification(title, {
    body: typeof n.body === 'string' ? n.body : '',
    // One entry per conversation: a newer notification replaces the older one.
    tag: typeof n.tag === 'string' ? n.tag : undefined,
    renotify: true,
    data: { conversationId: String(n.conversationId ?? '') },
  });
  // The app icon badge = total unread, where the browser supports it.
  const badge = typeof n.badge === 'number' && self.navigator.setAppBadge ? self.navigator.setAppBadge(n.badge).catch(() => undefined) : Promise.resolve();
  event.waitUntil(Promise.all([shown, badge]));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const conversationId = event.notification.data && event.notification.data.conversationId;
  // The web client's route of a chat (state/router.ts): #/c/<conversationId>.
  const url = conversationId ? `/#/c/${conversationId}` : '/';
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((w) => 'navigate' in w);
    if (open) {
      await open.navigate(url).catch(() => undefined);
      return open.focus();
    }
    return self.clients.openWindow(url);
  })());
});
