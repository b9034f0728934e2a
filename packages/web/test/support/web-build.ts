/** The browser test builds the web client the same way `npm start` does (only when stale). */
export { DIST_DIR, WEB_DIR, ensureWebBuild, isDistStale } from '../../../../scripts/web-build.mjs';
