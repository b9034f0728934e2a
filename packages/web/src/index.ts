/** @xinbox/web: the browser client. Built with `npm run build -w @xinbox/web`; served by the Xinbox server. */
export { mountApp, type MountOptions } from './mount.js';
export type { AppServices } from './components/app-context.js';
