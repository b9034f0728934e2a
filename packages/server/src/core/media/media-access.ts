import { Errors, XinboxError } from '@xinbox/protocol';
import type { UserId } from '../model.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { MediaCatalog, MediaRecord } from '../ports/media-catalog.js';

/**
 * Who may fetch a media item: its uploader, and the members of any
 * conversation it was sent in (a ref recorded when the message was accepted).
 */
export class MediaAccess {
  constructor(private readonly catalog: MediaCatalog, private readonly conversations: ConversationStore) {}

  /** The record, or MEDIA_NOT_FOUND / MEDIA_ACCESS_DENIED. */
  async check(userId: UserId, mediaId: string): Promise<MediaRecord> {
    const record = await this.catalog.get(mediaId);
    if (!record) throw new XinboxError(Errors.MEDIA_NOT_FOUND);
    if (record.ownerId === userId) return record;
    for (const conversationId of await this.catalog.refs(mediaId)) {
      if (await this.conversations.getMember(conversationId, userId)) return record;
    }
    throw new XinboxError(Errors.MEDIA_ACCESS_DENIED);
  }
}
