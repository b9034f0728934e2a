/**
 * Prints the markdown tables of docs/protocol.md that come from code: the
 * frame list (from the protobuf descriptor), the error catalog, the close
 * codes and the limits. Paste the output into the doc when a catalog changes;
 * `--check <file>` exits 1 when the file does not contain the current tables.
 *
 *   node --conditions=@xinbox/source --import tsx scripts/gen-protocol-tables.ts
 *   node --conditions=@xinbox/source --import tsx scripts/gen-protocol-tables.ts --check docs/protocol.md
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CloseCodes, Errors, FrameSchema, Limits } from '@xinbox/protocol';

type Direction = 'C→S' | 'S→C' | 'both';

/** Who sends each Frame body, and whether it is a request, a reply or a push. */
const FRAME_ROLES: Record<string, [Direction, string]> = {
  auth: ['C→S', 'request → AuthOk'],
  authOk: ['S→C', 'reply'],
  ping: ['C→S', 'request → Pong'],
  pong: ['S→C', 'reply'],
  error: ['S→C', 'reply (any request) or push'],
  ok: ['S→C', 'reply'],
  kicked: ['S→C', 'push, then close'],
  send: ['C→S', 'request → SendAck'],
  sendAck: ['S→C', 'reply'],
  push: ['S→C', 'push'],
  pushAck: ['C→S', 'no reply'],
  sync: ['C→S', 'request → SyncResult'],
  syncResult: ['S→C', 'reply'],
  history: ['C→S', 'request → HistoryResult'],
  historyResult: ['S→C', 'reply'],
  markRead: ['C→S', 'request → ReadUpdate'],
  readUpdate: ['S→C', 'reply or push'],
  typing: ['C→S', 'request → Ok'],
  typingUpdate: ['S→C', 'push'],
  pullRange: ['C→S', 'request → HistoryResult'],
  listConversations: ['C→S', 'request → ConversationList'],
  conversationList: ['S→C', 'reply'],
  openDirect: ['C→S', 'request → ConversationInfo'],
  conversationInfo: ['S→C', 'reply'],
  presenceQuery: ['C→S', 'request → PresenceResult'],
  presenceResult: ['S→C', 'reply'],
  presenceSubscribe: ['C→S', 'request → Ok'],
  presenceUpdate: ['S→C', 'push'],
  unreadUpdate: ['S→C', 'reserved: not sent'],
  conversationSettingsSet: ['C→S', 'request → ConversationSettings'],
  conversationSettings: ['S→C', 'reply'],
  messagesHide: ['C→S', 'request → Ok'],
  groupCreate: ['C→S', 'request → GroupInfo'],
  groupInfo: ['S→C', 'reply'],
  groupInvite: ['C→S', 'request → Ok | GroupInfo'],
  groupJoin: ['C→S', 'request → Ok | GroupInfo'],
  groupLeave: ['C→S', 'request → Ok | GroupInfo'],
  groupKick: ['C→S', 'request → Ok | GroupInfo'],
  groupSetRole: ['C→S', 'request → Ok | GroupInfo'],
  groupTransfer: ['C→S', 'request → Ok | GroupInfo'],
  groupDissolve: ['C→S', 'request → Ok | GroupInfo'],
  groupUpdate: ['C→S', 'request → Ok | GroupInfo'],
  groupMembers: ['C→S', 'request → GroupMemberList'],
  groupMemberList: ['S→C', 'reply'],
  groupMute: ['C→S', 'request → Ok | GroupInfo'],
  groupSettings: ['C→S', 'request → Ok | GroupInfo'],
  groupApprove: ['C→S', 'request → Ok | GroupInfo'],
  groupGet: ['C→S', 'request → GroupInfo'],
  readReceipts: ['C→S', 'request → ReadReceiptsResult'],
  readReceiptsResult: ['S→C', 'reply'],
  roomJoin: ['C→S', 'request → RoomJoined'],
  roomJoined: ['S→C', 'reply'],
  roomLeave: ['C→S', 'request → Ok'],
  roomSend: ['C→S', 'request → SendAck (reliable) | Ok'],
  roomPush: ['S→C', 'push'],
  roomAdmin: ['C→S', 'request → Ok'],
  roomPull: ['C→S', 'request → RoomPullResult'],
  roomPullResult: ['S→C', 'reply'],
  roomPushAck: ['C→S', 'no reply'],
  roomEvent: ['S→C', 'push'],
  profileGet: ['C→S', 'request → ProfileList'],
  profileList: ['S→C', 'reply'],
  profileUpdate: ['C→S', 'request → ProfileList'],
  privacyGet: ['C→S', 'request → PrivacySettings'],
  privacyUpdate: ['C→S', 'request → PrivacySettings'],
  privacySettings: ['S→C', 'reply'],
  userLookup: ['C→S', 'request → ProfileList'],
  friendRequestSend: ['C→S', 'request → FriendRequestInfo'],
  friendRequestRespond: ['C→S', 'request → FriendRequestInfo'],
  friendRequestCancel: ['C→S', 'request → FriendRequestInfo'],
  friendRequestInfo: ['S→C', 'reply'],
  friendRequestList: ['C→S', 'request → FriendRequests'],
  friendRequests: ['S→C', 'reply'],
  relationList: ['C→S', 'request → Relations'],
  relations: ['S→C', 'reply'],
  friendRemove: ['C→S', 'request → Relations'],
  followSet: ['C→S', 'request → Relations'],
  remarkSet: ['C→S', 'request → Relations'],
  blockSet: ['C→S', 'request → Relations'],
  relationSync: ['C→S', 'request → RelationSyncResult'],
  relationSyncResult: ['S→C', 'reply'],
  relationChange: ['S→C', 'push'],
  reportMessage: ['C→S', 'request → ReportInfo'],
  reportInfo: ['S→C', 'reply'],
  modReportList: ['C→S', 'request → ModReports'],
  modReports: ['S→C', 'reply'],
  modResolve: ['C→S', 'request → Ok'],
  modPunish: ['C→S', 'request → Ok'],
  modAuditRead: ['C→S', 'request → ModAudit'],
  modAudit: ['S→C', 'reply'],
  shopCreate: ['C→S', 'request → ShopInfo'],
  shopInfo: ['S→C', 'reply'],
  shopGet: ['C→S', 'request → ShopInfo'],
  shopAgentSet: ['C→S', 'request → ShopInfo'],
  serviceAgentStatus: ['C→S', 'request → ServiceBoard'],
  serviceOpen: ['C→S', 'request → ServiceConversation'],
  serviceConversation: ['S→C', 'reply'],
  serviceTransfer: ['C→S', 'request → ServiceConversation'],
  serviceClose: ['C→S', 'request → ServiceConversation'],
  serviceRate: ['C→S', 'request → ServiceConversation'],
  serviceList: ['C→S', 'request → ServiceBoard'],
  serviceBoard: ['S→C', 'reply'],
  serviceEvent: ['S→C', 'push'],
  itemConversationOpen: ['C→S', 'request → ItemConversationInfo'],
  itemConversationInfo: ['S→C', 'reply'],
  itemConversationList: ['C→S', 'request → ItemConversations'],
  itemConversations: ['S→C', 'reply'],
  search: ['C→S', 'request → SearchResult'],
  searchResult: ['S→C', 'reply'],
  pinList: ['C→S', 'request → PinListResult'],
  pinListResult: ['S→C', 'reply'],
};

function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function frameTable(): string {
  const rows: Array<Array<string | number>> = [];
  for (const f of FrameSchema.fields) {
    if (f.oneof?.name !== 'body') continue;
    const role = FRAME_ROLES[f.localName];
    if (!role) throw new Error(`gen-protocol-tables: no direction for Frame.${f.name}; add it to FRAME_ROLES`);
    rows.push([f.number, `\`${f.name}\``, `\`${f.message?.typeName.replace(/^xinbox\.v1\./, '') ?? '?'}\``, role[0], role[1]]);
  }
  return table(['field', 'body case', 'message', 'direction', 'kind'], rows);
}

export function errorTable(): string {
  const rows = Object.values(Errors)
    .sort((a, b) => a.code - b.code)
    .map((e) => [e.code, `\`${e.name}\``, e.retryable ? 'yes' : 'no', e.description]);
  return table(['code', 'name', 'retryable', 'meaning'], rows);
}

const ADVICE: Record<string, string> = {
  backoff: 'reconnect with backoff, then sync',
  immediately: 'reconnect at once, to the next endpoint',
  'after-refresh': 'refresh the token, then reconnect',
  never: 'do not reconnect',
};

export function closeCodeTable(): string {
  const rows = Object.values(CloseCodes)
    .sort((a, b) => a.code - b.code)
    .map((c) => [c.code, `\`${c.name}\``, `\`${c.reconnect}\` (${ADVICE[c.reconnect]})`, c.description]);
  return table(['code', 'name', 'client should', 'meaning'], rows);
}

/** Limits with the doc comments from limits.ts, so the table says what each one is. */
export function limitsTable(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const source = readFileSync(join(here, '..', 'packages', 'protocol', 'src', 'limits.ts'), 'utf8');
  const docs = new Map<string, string>();
  for (const m of source.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(\w+)\s*:/g)) {
    docs.set(m[2]!, m[1]!.replace(/\s*\n\s*\*\s*/g, ' ').trim());
  }
  const rows = Object.entries(Limits).map(([k, v]) => [`\`${k}\``, v.toLocaleString('en-US'), docs.get(k) ?? '']);
  return table(['limit', 'value', 'meaning'], rows);
}

export function protocolTables(): string {
  return [
    '<!-- generated by scripts/gen-protocol-tables.ts: frames -->',
    frameTable(),
    '',
    '<!-- generated by scripts/gen-protocol-tables.ts: errors -->',
    errorTable(),
    '',
    '<!-- generated by scripts/gen-protocol-tables.ts: close codes -->',
    closeCodeTable(),
    '',
    '<!-- generated by scripts/gen-protocol-tables.ts: limits -->',
    limitsTable(),
  ].join('\n');
}

/** Each generated table must appear verbatim in the document. */
export function missingTables(doc: string): string[] {
  const tables: Record<string, string> = { frames: frameTable(), errors: errorTable(), 'close codes': closeCodeTable(), limits: limitsTable() };
  return Object.entries(tables)
    .filter(([, t]) => !doc.includes(t))
    .map(([name]) => name);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--check');
  if (i >= 0) {
    const file = process.argv[i + 1] ?? 'docs/protocol.md';
    const missing = missingTables(readFileSync(file, 'utf8'));
    if (missing.length > 0) {
      console.error(`${file} is out of date for: ${missing.join(', ')}. Re-run scripts/gen-protocol-tables.ts and paste.`);
      process.exit(1);
    }
    console.log(`${file}: generated tables are current`);
  } else {
    console.log(protocolTables());
  }
}
