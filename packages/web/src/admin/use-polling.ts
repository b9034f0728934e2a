import { useEffect } from 'preact/hooks';

/** Runs `load` now and every `ms` while the component is shown (and again when `deps` change). */
export function usePolling(load: () => Promise<unknown>, ms: number, deps: readonly unknown[]): void {
  useEffect(() => {
    let live = true;
    const tick = () => {
      if (live) void load().catch(() => undefined);
    };
    tick();
    const timer = setInterval(tick, ms);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, deps);
}
