import type { UserId } from '../model.js';

export type MediaKind = 'image' | 'video' | 'audio' | 'file';

/** What the server measured about an uploaded item (never the client's claims). */
export interface MediaRecord {
  /** Random, unguessable id (base64url). */
  readonly id: string;
  readonly ownerId: UserId;
  /** Hex SHA-256 of the bytes: the key of the original in the MediaStore. */
  readonly sha256: string;
  readonly size: number;
  /** Sniffed from the bytes. */
  readonly mimeType: string;
  readonly kind: MediaKind;
  /** The uploader's file name (display only). */
  readonly name: string;
  /** Pixels after EXIF orientation (0 when not visual). */
  readonly width: number;
  readonly height: number;
  readonly durationMs: number;
  /** ThumbHash bytes (empty when none). */
  readonly placeholder: Uint8Array;
  /** Derived files stored as `<sha256>.<variant>`, e.g. thumb320, poster. */
  readonly variants: readonly string[];
  readonly createdAt: number;
}

/** Where a media item was sent: a conversation, whose members may then fetch it. */
export type MediaRef = { readonly conversationId: number };

/**
 * Metadata of uploaded media and where it was referenced (the bytes are in
 * the MediaStore).
 *
 * Contract (test/contracts/media-catalog.contract.ts, run against memory,
 * SQLite and PostgreSQL):
 * - `create` stores a record; ids are unique (a second create of an id throws).
 * - `get` returns the record as created (placeholder bytes equal), or null.
 * - `addRef` records that the item was sent in a conversation; adding the same
 *   ref twice is a no-op. `refs` lists the conversation ids, ascending.
 * - `usage(owner)` is the sum of `size` over the owner's records (each record
 *   counts, even when its bytes are shared with another record).
 * - `unreferencedBefore(t, limit)` lists records with no ref created before t,
 *   oldest first, at most `limit`.
 * - `delete(id)` removes the record and its refs and returns how many records
 *   still name the same sha256 (0: the bytes may be deleted), or null when
 *   there was no such record.
 */
export interface MediaCatalog {
  create(record: MediaRecord): Promise<void>;
  get(id: string): Promise<MediaRecord | null>;
  addRef(id: string, ref: MediaRef, at: number): Promise<void>;
  refs(id: string): Promise<number[]>;
  usage(ownerId: UserId): Promise<number>;
  unreferencedBefore(before: number, limit: number): Promise<MediaRecord[]>;
  delete(id: string): Promise<number | null>;
}
