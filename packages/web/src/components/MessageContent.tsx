/**
 * The body of a message. Uploaded media (a mediaId) is shown inline by
 * MediaView; an external link (a URL reference) as a card with the link.
 * Only http(s) links are rendered, so a message cannot smuggle a
 * javascript: URL.
 */
import type { Content, Media } from '@xinbox/protocol';
import type { ContentInit } from '@xinbox/sdk';
import { formatBytes } from './format-bytes.js';
import { MediaView } from './MediaView.js';

export { formatBytes };

type MediaCase = 'image' | 'video' | 'audio' | 'file';
const ICON: Record<MediaCase, string> = { image: '🖼', video: '🎬', audio: '🔊', file: '📎' };
const LABEL: Record<MediaCase, string> = { image: 'Image', video: 'Video', audio: 'Audio', file: 'File' };

export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function MessageContent({ content }: { content: Content | ContentInit | undefined }) {
  const kind = content?.kind as { case?: string; value?: unknown } | undefined;
  switch (kind?.case) {
    case 'text':
      return <p class="msg__text">{(kind.value as { text?: string }).text}</p>;
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
      return (kind.value as Partial<Media>).mediaId
        ? <MediaView kind={kind.case} media={kind.value as Partial<Media>} />
        : <MediaCard kind={kind.case} media={kind.value as Partial<Media>} />;
    case 'custom':
      return <p class="msg__text msg__text--muted">[{(kind.value as { kind?: string }).kind || 'custom message'}]</p>;
    default:
      return <p class="msg__text msg__text--muted">[unsupported message]</p>;
  }
}

function MediaCard({ kind, media }: { kind: MediaCase; media: Partial<Media> }) {
  const href = safeUrl(media.url);
  const name = media.name || fileNameOf(media.url) || LABEL[kind];
  return (
    <div class={`media media--${kind}`} data-testid="media">
      <span class="media__icon" aria-hidden="true">
        {ICON[kind]}
      </span>
      <span class="media__text">
        <span class="media__kind">{LABEL[kind]}</span>
        {href ? (
          <a class="media__name" href={href} target="_blank" rel="noopener noreferrer">
            {name}
          </a>
        ) : (
          <span class="media__name">{name}</span>
        )}
        {media.size ? <span class="media__size">{formatBytes(media.size)}</span> : null}
      </span>
    </div>
  );
}

function fileNameOf(url: string | undefined): string {
  if (!url) return '';
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    return '';
  }
}
