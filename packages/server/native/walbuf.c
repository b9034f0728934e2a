/*
** walbuf: a SQLite VFS shim that writes each WAL commit with one write call.
**
** Why. SQLite writes every WAL frame as two write calls (the 24-byte frame
** header, then the page), and a W1 commit of a few dozen messages writes a
** few hundred frames: a few hundred system calls per commit, each paying
** the file lock, the mtime update and the page-cache lookup again. This
** shim keeps the frames a connection appends to its WAL in memory and hands
** them to the real file in one write when the transaction's commit frame
** is complete. ADR 0015 (docs/decisions/0015-wal-write-coalescing.md).
**
** Durability is exactly SQLite's own. A commit becomes visible to other
** connections (and to recovery after a crash) through the wal-index header,
** which SQLite writes only after walFrames() has written every frame of the
** transaction; the commit frame is the last frame it appends, so the shim
** writes the buffer to the file inside that frame's own xWrite, before
** walFrames() returns, and a failure of that write fails the commit like
** any failed write. A commit that returned is therefore in the OS page cache
** exactly as without the shim: it survives kill -9; power loss is governed
** by `synchronous` as before (xSync always writes the buffer first).
**
** What is buffered. Only appends: writes that continue the buffer and lie
** beyond everything written so far in this generation of the WAL (the
** generation starts again when SQLite writes the 32-byte WAL header at
** offset 0). Rewrites of earlier frames (a page spilled earlier in the same
** transaction, checksum rewrites) write through after the buffer is
** written. Every other operation on the WAL file (read, sync, truncate,
** size, lock, file-control, close) writes the buffer first, so SQLite never
** sees the file differ from what it wrote.
**
** Files other than WALs are opened by the underlying VFS directly into the
** shim's file object: no indirection at all for the database file.
**
** Loaded with sqlite3_load_extension (better-sqlite3: db.loadExtension);
** registers the VFS "walbuf" as the process default and stays loaded.
*/
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1
#include <string.h>

#define WALBUF_CAPACITY (4 * 1024 * 1024)
/* The unix VFS writes at most 0x1ffff bytes per call (seekAndWriteFd). */
#define WALBUF_WRITE_MAX (31 * 4096)
#define WAL_HEADER_SIZE 32
#define WAL_FRAME_HEADER_SIZE 24

typedef struct WalbufFile WalbufFile;
struct WalbufFile {
  sqlite3_file base;        /* base.pMethods = &walbufIoMethods */
  sqlite3_file *pReal;      /* the underlying WAL file (memory right after this struct) */
  unsigned char *aBuf;      /* appended bytes not yet written; WALBUF_CAPACITY */
  int nBuf;                 /* bytes in aBuf */
  sqlite3_int64 iBufOfst;   /* file offset of aBuf[0] */
  sqlite3_int64 iHighWater; /* end of the furthest write in this WAL generation */
  int commitFramePending;   /* the last write was a commit frame's header */
};

static sqlite3_vfs *pRealVfs = 0;
static sqlite3_vfs walbufVfs;
static sqlite3_io_methods walbufIoMethods;

/* Statistics for tests (walbuf_stats() SQL function). */
static sqlite3_int64 nFlushes = 0;
static sqlite3_int64 nBufferedWrites = 0;

static int walbufFlush(WalbufFile *p){
  int rc = SQLITE_OK;
  int i;
  for(i=0; i<p->nBuf && rc==SQLITE_OK; i+=WALBUF_WRITE_MAX){
    int n = p->nBuf-i<WALBUF_WRITE_MAX ? p->nBuf-i : WALBUF_WRITE_MAX;
    rc = p->pReal->pMethods->xWrite(p->pReal, p->aBuf+i, n, p->iBufOfst+i);
  }
  if( p->nBuf>0 ) __atomic_fetch_add(&nFlushes, 1, __ATOMIC_RELAXED);
  p->nBuf = 0;
  return rc;
}

static int isCommitFrameHeader(const void *z, int iAmt){
  const unsigned char *a = (const unsigned char *)z;
  /* Frame header bytes 4..7: database size in pages after a commit, 0 otherwise. */
  return iAmt==WAL_FRAME_HEADER_SIZE && (a[4] | a[5] | a[6] | a[7])!=0;
}

static int walbufWrite(sqlite3_file *pFile, const void *z, int iAmt, sqlite3_int64 iOfst){
  WalbufFile *p = (WalbufFile *)pFile;
  int rc;
  if( iOfst==0 && iAmt==WAL_HEADER_SIZE ){
    /* A new WAL generation: everything after the header is an append again. */
    rc = walbufFlush(p);
    if( rc ) return rc;
    p->iHighWater = 0;
  }
  if( iOfst<p->iHighWater || iAmt>WALBUF_CAPACITY || p->aBuf==0 ){
    /* A rewrite of bytes already written (or nothing to buffer with). */
    rc = walbufFlush(p);
    if( rc ) return rc;
    p->commitFramePending = 0;
    if( iOfst+iAmt>p->iHighWater ) p->iHighWater = iOfst+iAmt;
    return p->pReal->pMethods->xWrite(p->pReal, z, iAmt, iOfst);
  }
  if( p->nBuf>0 && (iOfst!=p->iBufOfst+p->nBuf || p->nBuf+iAmt>WALBUF_CAPACITY) ){
    rc = walbufFlush(p);
    if( rc ) return rc;
  }
  if( p->nBuf==0 ) p->iBufOfst = iOfst;
  memcpy(p->aBuf+p->nBuf, z, iAmt);
  p->nBuf += iAmt;
  p->iHighWater = iOfst+iAmt;
  __atomic_fetch_add(&nBufferedWrites, 1, __ATOMIC_RELAXED);
  if( isCommitFrameHeader(z, iAmt) ){
    p->commitFramePending = 1;
    return SQLITE_OK;
  }
  if( p->commitFramePending ){
    /* The commit frame's page: the transaction is complete in the buffer. */
    p->commitFramePending = 0;
    return walbufFlush(p);
  }
  return SQLITE_OK;
}

static int walbufClose(sqlite3_file *pFile){
  WalbufFile *p = (WalbufFile *)pFile;
  int rc = walbufFlush(p);
  int rc2 = p->pReal->pMethods ? p->pReal->pMethods->xClose(p->pReal) : SQLITE_OK;
  sqlite3_free(p->aBuf);
  p->aBuf = 0;
  return rc ? rc : rc2;
}

static int walbufRead(sqlite3_file *pFile, void *z, int iAmt, sqlite3_int64 iOfst){
  WalbufFile *p = (WalbufFile *)pFile;
  int rc = walbufFlush(p);
  if( rc ) return rc;
  return p->pReal->pMethods->xRead(p->pReal, z, iAmt, iOfst);
}

static int walbufTruncate(sqlite3_file *pFile, sqlite3_int64 size){
  WalbufFile *p = (WalbufFile *)pFile;
  int rc = walbufFlush(p);
  if( rc ) return rc;
  if( size<p->iHighWater ) p->iHighWater = size;
  return p->pReal->pMethods->xTruncate(p->pReal, size);
}

static int walbufSync(sqlite3_file *pFile, int flags){
  WalbufFile *p = (WalbufFile *)pFile;
  int rc = walbufFlush(p);
  if( rc ) return rc;
  return p->pReal->pMethods->xSync(p->pReal, flags);
}

static int walbufFileSize(sqlite3_file *pFile, sqlite3_int64 *pSize){
  WalbufFile *p = (WalbufFile *)pFile;
  int rc = walbufFlush(p);
  if( rc ) return rc;
  return p->pReal->pMethods->xFileSize(p->pReal, pSize);
}

static int walbufLock(sqlite3_file *pFile, int eLock){
  WalbufFile *p = (WalbufFile *)pFile;
  int rc = walbufFlush(p);
  if( rc ) return rc;
  return p->pReal->pMethods->xLock(p->pReal, eLock);
}

static int walbufUnlock(sqlite3_file *pFile, int eLock){
  WalbufFile *p = (WalbufFile *)pFile;
  int rc = walbufFlush(p);
  if( rc ) return rc;
  return p->pReal->pMethods->xUnlock(p->pReal, eLock);
}

static int walbufCheckReservedLock(sqlite3_file *pFile, int *pResOut){
  WalbufFile *p = (WalbufFile *)pFile;
  return p->pReal->pMethods->xCheckReservedLock(p->pReal, pResOut);
}

static int walbufFileControl(sqlite3_file *pFile, int op, void *pArg){
  WalbufFile *p = (WalbufFile *)pFile;
  int rc = walbufFlush(p);
  if( rc ) return rc;
  return p->pReal->pMethods->xFileControl(p->pReal, op, pArg);
}

static int walbufSectorSize(sqlite3_file *pFile){
  WalbufFile *p = (WalbufFile *)pFile;
  return p->pReal->pMethods->xSectorSize(p->pReal);
}

static int walbufDeviceCharacteristics(sqlite3_file *pFile){
  WalbufFile *p = (WalbufFile *)pFile;
  return p->pReal->pMethods->xDeviceCharacteristics(p->pReal);
}

static int walbufOpen(sqlite3_vfs *pVfs, sqlite3_filename zName, sqlite3_file *pFile, int flags, int *pOutFlags){
  WalbufFile *p = (WalbufFile *)pFile;
  int rc;
  (void)pVfs;
  if( (flags & SQLITE_OPEN_WAL)==0 ){
    /* Not a WAL: the real VFS opens it straight into this object. */
    return pRealVfs->xOpen(pRealVfs, zName, pFile, flags, pOutFlags);
  }
  memset(p, 0, sizeof(*p));
  p->pReal = (sqlite3_file *)&p[1];
  rc = pRealVfs->xOpen(pRealVfs, zName, p->pReal, flags, pOutFlags);
  if( rc!=SQLITE_OK ){
    /* pMethods stays 0 so SQLite does not call xClose on us. */
    return rc;
  }
  p->aBuf = sqlite3_malloc(WALBUF_CAPACITY); /* 0: every write goes through (still correct) */
  p->base.pMethods = &walbufIoMethods;
  return SQLITE_OK;
}

/* The remaining VFS methods are the real VFS's own. */
static int walbufDelete(sqlite3_vfs *v, const char *z, int syncDir){ (void)v; return pRealVfs->xDelete(pRealVfs, z, syncDir); }
static int walbufAccess(sqlite3_vfs *v, const char *z, int flags, int *pOut){ (void)v; return pRealVfs->xAccess(pRealVfs, z, flags, pOut); }
static int walbufFullPathname(sqlite3_vfs *v, const char *z, int n, char *zOut){ (void)v; return pRealVfs->xFullPathname(pRealVfs, z, n, zOut); }
static void *walbufDlOpen(sqlite3_vfs *v, const char *z){ (void)v; return pRealVfs->xDlOpen(pRealVfs, z); }
static void walbufDlError(sqlite3_vfs *v, int n, char *z){ (void)v; pRealVfs->xDlError(pRealVfs, n, z); }
static void (*walbufDlSym(sqlite3_vfs *v, void *h, const char *z))(void){ (void)v; return pRealVfs->xDlSym(pRealVfs, h, z); }
static void walbufDlClose(sqlite3_vfs *v, void *h){ (void)v; pRealVfs->xDlClose(pRealVfs, h); }
static int walbufRandomness(sqlite3_vfs *v, int n, char *z){ (void)v; return pRealVfs->xRandomness(pRealVfs, n, z); }
static int walbufSleep(sqlite3_vfs *v, int us){ (void)v; return pRealVfs->xSleep(pRealVfs, us); }
static int walbufCurrentTime(sqlite3_vfs *v, double *p){ (void)v; return pRealVfs->xCurrentTime(pRealVfs, p); }
static int walbufGetLastError(sqlite3_vfs *v, int n, char *z){ (void)v; return pRealVfs->xGetLastError ? pRealVfs->xGetLastError(pRealVfs, n, z) : 0; }
static int walbufCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *p){ (void)v; return pRealVfs->xCurrentTimeInt64(pRealVfs, p); }

/* SELECT walbuf_stats() -> 'flushes buffered_writes' (process-wide counters, for tests). */
static void walbufStatsFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  char z[64];
  (void)argc; (void)argv;
  sqlite3_snprintf(sizeof(z), z, "%lld %lld",
    __atomic_load_n(&nFlushes, __ATOMIC_RELAXED), __atomic_load_n(&nBufferedWrites, __ATOMIC_RELAXED));
  sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_walbuf_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi){
  int rc;
  (void)pzErrMsg;
  sqlite3_mutex *pMutex;
  SQLITE_EXTENSION_INIT2(pApi);
  /* Worker threads may load the extension at the same time. */
  pMutex = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_APP1);
  sqlite3_mutex_enter(pMutex);
  rc = SQLITE_OK;
  if( sqlite3_vfs_find("walbuf")==0 ){
    pRealVfs = sqlite3_vfs_find(0);
    if( pRealVfs==0 ) return SQLITE_ERROR;
    walbufVfs = *pRealVfs;
    walbufVfs.zName = "walbuf";
    walbufVfs.pNext = 0;
    walbufVfs.szOsFile = (int)sizeof(WalbufFile) + pRealVfs->szOsFile;
    walbufVfs.xOpen = walbufOpen;
    walbufVfs.xDelete = walbufDelete;
    walbufVfs.xAccess = walbufAccess;
    walbufVfs.xFullPathname = walbufFullPathname;
    walbufVfs.xDlOpen = walbufDlOpen;
    walbufVfs.xDlError = walbufDlError;
    walbufVfs.xDlSym = walbufDlSym;
    walbufVfs.xDlClose = walbufDlClose;
    walbufVfs.xRandomness = walbufRandomness;
    walbufVfs.xSleep = walbufSleep;
    walbufVfs.xCurrentTime = walbufCurrentTime;
    walbufVfs.xGetLastError = walbufGetLastError;
    walbufVfs.xCurrentTimeInt64 = walbufCurrentTimeInt64;
    walbufVfs.xSetSystemCall = 0;
    walbufVfs.xGetSystemCall = 0;
    walbufVfs.xNextSystemCall = 0;
    walbufVfs.iVersion = 2;

    memset(&walbufIoMethods, 0, sizeof(walbufIoMethods));
    walbufIoMethods.iVersion = 1;
    walbufIoMethods.xClose = walbufClose;
    walbufIoMethods.xRead = walbufRead;
    walbufIoMethods.xWrite = walbufWrite;
    walbufIoMethods.xTruncate = walbufTruncate;
    walbufIoMethods.xSync = walbufSync;
    walbufIoMethods.xFileSize = walbufFileSize;
    walbufIoMethods.xLock = walbufLock;
    walbufIoMethods.xUnlock = walbufUnlock;
    walbufIoMethods.xCheckReservedLock = walbufCheckReservedLock;
    walbufIoMethods.xFileControl = walbufFileControl;
    walbufIoMethods.xSectorSize = walbufSectorSize;
    walbufIoMethods.xDeviceCharacteristics = walbufDeviceCharacteristics;

    rc = sqlite3_vfs_register(&walbufVfs, 1);
  }
  sqlite3_mutex_leave(pMutex);
  if( rc!=SQLITE_OK ) return rc;
  rc = sqlite3_create_function(db, "walbuf_stats", 0, SQLITE_UTF8, 0, walbufStatsFunc, 0, 0);
  if( rc!=SQLITE_OK ) return rc;
  return SQLITE_OK_LOAD_PERMANENTLY;
}
