import { Errors, XinboxError, type Content, type Media } from '@xinbox/protocol';
import type { ConversationId } from '../model.js';
import type { Caller } from '../messaging/send-types.js';
import type { MediaCatalog, MediaKind, MediaRecord } from '../ports/media-catalog.js';
import type { MediaAccess } from './media-access.js';

/** Which message kinds may carry which sniffed media kinds. */
const FITS: Record<string, readonly MediaKind[]> = {
  image: ['image'],
  video: ['video'],
  audio: ['audio', 'video'], // browsers record voice as audio/webm, which sniffs as video/webm
  file: ['image', 'video', 'audio', 'file'],
};

/**
 * Binds media messages to uploaded items at send time: the sender must be
 * allowed to see the item (its uploader, or a member where it was sent
 * before, so forwarding works), the message kind must fit the sniffed type,
 * and the metadata the server measured replaces the client's claims. The ref
 * (item → conversation) is recorded before the message is committed, so a
 * recipient who sees the message can always fetch the item. Content without
 * a media id (text, external links) passes untouched.
 */
export class MediaAttacher {
  constructor(private readonly catalog: MediaCatalog, private readonly access: MediaAccess, private readonly clock: () => number = Date.now) {}

  async attach(caller: Caller, conversationId: ConversationId, content: Content): Promise<Content> {
    const k = content.kind;
    if (k.case !== 'image' && k.case !== 'video' && k.case !== 'file' && k.case !== 'audio') return content;
    const record = await this.access.check(caller.userId, k.value.mediaId);
    if (!FITS[k.case]!.includes(record.kind)) {
      throw new XinboxError(Errors.MEDIA_KIND_MISMATCH, `a ${k.case} message cannot carry ${record.mimeType}`);
    }
    await this.catalog.addRef(record.id, { conversationId }, this.clock());
    return { ...content, kind: { case: k.case, value: fill(k.value, record) } } as Content;
  }
}

function fill(m: Media, r: MediaRecord): Media {
  return {
    ...m,
    url: '',
    size: r.size,
    mimeType: r.mimeType,
    width: r.width,
    height: r.height,
    durationMs: r.durationMs,
    thumbnailUrl: '',
    name: m.name || r.name,
    mediaId: r.id,
    sha256: r.sha256,
    placeholder: r.placeholder,
    variants: [...r.variants],
  };
}
