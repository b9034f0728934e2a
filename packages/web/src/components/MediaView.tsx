/**
 * Uploaded media in a message: an image shows its ThumbHash placeholder at
 * once (it came inside the message), then the thumbnail; clicking opens the
 * full picture in a lightbox. Video plays inline with its poster, voice and
 * audio with the browser's player, other files are a card with name, size
 * and a download link. URLs are short-lived signed ones fetched on demand.
 */
import type { Media } from '@xinbox/protocol';
import type { MediaRef } from '@xinbox/sdk';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { thumbHashToDataURL } from 'thumbhash';
import { mediaRef } from '../state/media-urls.js';
import { useServices } from './app-context.js';
import { Lightbox } from './Lightbox.js';
import { formatBytes } from './format-bytes.js';

type Kind = 'image' | 'video' | 'audio' | 'file';

export function MediaView({ kind, media }: { kind: Kind; media: Partial<Media> }) {
  const { app } = useServices();
  const [ref, setRef] = useState<MediaRef | undefined>();
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState(false);
  const mediaId = media.mediaId!;
  useEffect(() => {
    let live = true;
    mediaRef(app.client, mediaId).then((r) => live && setRef(r), () => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [app, mediaId]);
  const placeholder = useMemo(() => {
    if (!media.placeholder?.length) return undefined;
    try {
      return thumbHashToDataURL(media.placeholder);
    } catch {
      return undefined;
    }
  }, [media.placeholder]);
  const name = media.name || (kind === 'audio' ? 'Voice message' : 'File');
  const box = fit(media.width ?? 0, media.height ?? 0, 280);

  if (kind === 'image') {
    const thumb = ref && (ref.urls.thumb640 ?? ref.urls.thumb320 ?? ref.urls.thumb160 ?? ref.urls.original);
    return (
      <>
        <button
          type="button"
          class="media-image"
          data-testid="media-image"
          style={{ width: `${box.w}px`, height: `${box.h}px`, backgroundImage: placeholder ? `url(${placeholder})` : undefined }}
          aria-label={`Open picture ${name}`}
          onClick={() => ref && setOpen(true)}
        >
          {thumb && <img src={thumb} alt={name} width={box.w} height={box.h} data-testid="media-thumb" />}
          {failed && <span class="media-image__error">Picture unavailable</span>}
        </button>
        {open && ref && <Lightbox src={ref.urls.original!} alt={name} onClose={() => setOpen(false)} />}
      </>
    );
  }
  if (kind === 'video') {
    return (
      <video
        class="media-video"
        data-testid="media-video"
        controls
        preload="metadata"
        width={box.w}
        height={box.h}
        poster={ref?.urls.poster ?? placeholder}
        src={ref?.urls.original}
      />
    );
  }
  if (kind === 'audio') {
    return (
      <div class="media media--audio" data-testid="media-audio">
        <span class="media__icon" aria-hidden="true">🎤</span>
        <span class="media__text">
          <span class="media__kind">{name}{media.durationMs ? ` · ${Math.round(media.durationMs / 1000)} s` : ''}</span>
          {ref ? <audio controls preload="metadata" src={ref.urls.original} /> : <span class="media__size">{failed ? 'unavailable' : 'loading…'}</span>}
        </span>
      </div>
    );
  }
  return (
    <div class="media media--file" data-testid="media-file">
      <span class="media__icon" aria-hidden="true">📎</span>
      <span class="media__text">
        <span class="media__kind">File</span>
        <span class="media__name">{name}</span>
        <span class="media__size">{formatBytes(media.size ?? 0)}{media.mimeType ? ` · ${media.mimeType}` : ''}</span>
        {ref && (
          <a class="media__download" href={ref.urls.original} download={name} data-testid="media-download">
            Download
          </a>
        )}
      </span>
    </div>
  );
}

/** The displayed size: the picture's aspect ratio within max×max (a square before the dimensions are known). */
function fit(w: number, h: number, max: number): { w: number; h: number } {
  if (!w || !h) return { w: max * 0.75, h: max * 0.75 };
  const scale = Math.min(1, max / Math.max(w, h));
  return { w: Math.max(48, Math.round(w * scale)), h: Math.max(48, Math.round(h * scale)) };
}
