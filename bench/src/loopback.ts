/**
 * The bench only ever talks to this machine. Every target URL is checked
 * here, and client source addresses are spread over 127.0.0.0/8 so one
 * machine can open more than one address's worth (~28k) of ephemeral ports.
 */

const IPV4_LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const m = IPV4_LOOPBACK.exec(h);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255);
}

/** Throws unless the URL points at a loopback address. Returns it normalised. */
export function assertLoopbackUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a URL: ${url}`);
  }
  if (!isLoopbackHost(parsed.hostname)) {
    throw new Error(`refusing non-loopback target ${url}: the bench only runs against 127.0.0.0/8 or ::1`);
  }
  return parsed.toString().replace(/\/$/, '');
}

/**
 * Source address for the i-th client connection when `count` addresses are in
 * use: 127.0.1.1, 127.0.1.2, ... (kept off 127.0.0.1, where the servers
 * listen, so client and server ports never share an address).
 */
export function sourceAddress(index: number, count: number): string {
  const k = index % Math.max(1, count);
  return `127.0.${1 + Math.floor(k / 250)}.${1 + (k % 250)}`;
}

/**
 * Enough addresses that none carries more than `perAddress` connections. Far
 * below the ~28k ephemeral ports of an address: the kernel picks a free port
 * by probing, and with most of an address's ports taken each connect spent
 * milliseconds of system CPU there (W4 setup, 57k connections: ~170
 * connects/s once 13k+ shared an address, ~1,100/s with 2k per address).
 */
export function sourceAddressCount(connections: number, perAddress = 2_000, minimum = 2): number {
  return Math.max(minimum, Math.ceil(connections / perAddress));
}
