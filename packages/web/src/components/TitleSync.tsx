/** Keeps the tab title showing the total unread count, e.g. "(3) Xinbox". */
import { useEffect } from 'preact/hooks';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';

export function titleFor(unread: number): string {
  return unread > 0 ? `(${unread > 999 ? '999+' : unread}) Xinbox` : 'Xinbox';
}

export function TitleSync() {
  const { app } = useServices();
  const unread = useStore(app.totalUnread);
  const me = useStore(app.me);
  useEffect(() => {
    document.title = titleFor(me ? unread : 0);
  }, [unread, me]);
  return null;
}
