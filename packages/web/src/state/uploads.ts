/**
 * Uploads in progress, per conversation: each file goes over the media
 * channel (client.upload, resumable, chunked) and, once stored, is sent as
 * an image/video/audio/file message naming it. Cancel aborts the upload and
 * the server deletes what it had.
 */
import { mediaContent, type ContentInit, type XinboxClient } from '@xinbox/sdk';
import { Store } from './store.js';

export interface UploadItem {
  readonly id: string;
  readonly conversationId: string;
  readonly name: string;
  readonly sent: number;
  readonly total: number;
  readonly error?: string;
}

let counter = 0;

export class UploadQueue {
  readonly items = new Store<readonly UploadItem[]>([]);
  private readonly aborts = new Map<string, AbortController>();

  constructor(private readonly client: XinboxClient, private readonly send: (conversationId: string, content: ContentInit) => void) {}

  /** Uploads a file (or a recorded clip) and sends it; `as` forces the message kind (voice → audio). */
  start(conversationId: string, file: Blob, name: string, as?: 'audio'): void {
    const id = `u${++counter}`;
    const abort = new AbortController();
    this.aborts.set(id, abort);
    this.items.update((list) => [...list, { id, conversationId, name, sent: 0, total: file.size }]);
    this.client
      .upload(file, { name, signal: abort.signal, chunkBytes: 256 * 1024, onProgress: (sent, total) => this.patch(id, { sent, total }) })
      .then((ref) => {
        this.remove(id);
        this.send(conversationId, mediaContent(ref, as));
      })
      .catch((err: unknown) => {
        if (abort.signal.aborted) this.remove(id);
        else this.patch(id, { error: err instanceof Error ? err.message : 'upload failed' });
      });
  }

  cancel(id: string): void {
    this.aborts.get(id)?.abort();
    this.remove(id);
  }

  private patch(id: string, change: Partial<UploadItem>): void {
    this.items.update((list) => list.map((u) => (u.id === id ? { ...u, ...change } : u)));
  }

  private remove(id: string): void {
    this.aborts.delete(id);
    this.items.update((list) => list.filter((u) => u.id !== id));
  }
}
