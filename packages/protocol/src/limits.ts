/** Protocol-level limits, the same for server and SDK. Servers may lower them by config. */
export const Limits = Object.freeze({
  /** Largest frame body accepted on any transport. */
  maxFrameBytes: 64 * 1024,
  /** Largest text message, in UTF-8 bytes. */
  maxTextBytes: 16 * 1024,
  /** Largest custom payload, in bytes. */
  maxCustomBytes: 32 * 1024,
  /** Longest client message id. */
  maxClientMsgIdLength: 64,
  /** Most messages in one history page or pulled range. */
  maxPageSize: 100,
  /** Default history page size. */
  defaultHistoryPage: 10,
  /** Most entries in one sync page. */
  maxSyncPage: 500,
  /** Most ids in one request (presence queries, invites, kicks). */
  maxIdsPerRequest: 500,
  /**
   * Byte budget of one list reply (Sync, History, PullRange, ListConversations,
   * RoomPull, RoomJoin): a page stops before the entry that would
   * take it past this, and says `hasMore`. A page always holds at least one
   * entry, so a reply frame stays below maxReplyBytes + one entry (< 192 KiB).
   */
  maxReplyBytes: 128 * 1024,
  /** Longest URL in a media reference. */
  maxUrlLength: 2048,
});
