/**
 * The one place the web client imports the SDK from. The SDK package has no
 * src/index.ts yet (its package.json points there), so `@xinbox/sdk` cannot be
 * resolved; these relative imports stand in until it does. When it lands,
 * replace the paths below with '@xinbox/sdk' and nothing else changes.
 */
export { XinboxClient, type SendOptions } from '../../sdk/src/client.js';
export type { ConnectionState, ReadEvent, KickedEvent, XinboxEvents } from '../../sdk/src/events.js';
export type { XinboxClientOptions } from '../../sdk/src/client-options.js';
export type { Session } from '../../sdk/src/http-api.js';
export { textOf, type ContentInput } from '../../sdk/src/content.js';
export type { ContentInit } from '../../sdk/src/frame-types.js';
export type { CursorStore, KeyValueStorage } from '../../sdk/src/cursor-store.js';
export { LocalStorageCursorStore } from '../../sdk/src/cursor-store.js';
