export { XinboxClient, type SendOptions, type ConversationSettingsPatch } from './client.js';
export { resolveOptions, SDK_VERSION, type XinboxClientOptions, type ResolvedOptions } from './client-options.js';
export type { XinboxEvents, ConnectionState, ReadEvent, KickedEvent } from './events.js';
export { TypedEmitter, type Listener } from './emitter.js';
export {
  MemoryCursorStore,
  LocalStorageCursorStore,
  FileCursorStore,
  emptySyncState,
  parseSyncState,
  type CursorStore,
  type SyncState,
  type KeyValueStorage,
} from './cursor-store.js';
export { HttpApi, type Session, type PlatformName, type AccessList, type GatewayEndpoint, type FetchLike } from './http-api.js';
export { toContent, textOf, type ContentInput } from './content.js';
export { ConnectionLostError, type ConnectionClose } from './errors.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { LruSet, LruMap } from './lru.js';
export { MediaApi, mediaContent, type MediaInfo, type MediaRef, type UploadOptions, type UploadSource, type MediaAuth } from './media.js';
export { ReorderBuffer, type Gap, type Sequenced, type OfferResult } from './reorder-buffer.js';
export { SendQueue, type OutgoingSend, type OutgoingInput, type FailureAction, type SendQueueOptions } from './send-queue.js';
export { SyncEngine, type SyncRpc, type SyncEngineHooks, type SyncEngineOptions } from './sync-engine.js';
export { ConversationState } from './conversation-state.js';
export { EndpointSelector, type GatewayTarget } from './endpoints.js';
export { Connection, type ConnectionOptions } from './connection.js';
export { openWebSocketTransport, type WebSocketLike, type WebSocketConstructorLike, type SubprotocolName } from './transport-ws.js';
export { openTcpTransport, type TcpTlsOptions } from './transport-tcp.js';
export type { FrameTransport, TransportHandlers, CloseInfo, EncodedFrame } from './transport.js';
export { adviceForClose, adviceForError } from './close-advice.js';
export { randomId } from './ids.js';
export type { ContentInit, BodyOf, BodyInit } from './frame-types.js';
export { ConversationFold, operationOf, isSilent, type MessageView } from './message-ops.js';
