import { execFileSync } from 'node:child_process';

function has(bin: string): boolean {
  try {
    execFileSync(bin, ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * ffmpeg/ffprobe for the video tests: installed from Debian (as root) when
 * missing. Returns null when present, else why not (the caller fails with it).
 */
export function ensureFfmpeg(): string | null {
  if (has('ffmpeg') && has('ffprobe')) return null;
  if (process.getuid?.() === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'ffmpeg'], { stdio: 'ignore', env, timeout: 300_000 });
    } catch {
      try {
        execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
        execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'ffmpeg'], { stdio: 'ignore', env, timeout: 300_000 });
      } catch {
        // reported below
      }
    }
  }
  if (has('ffmpeg') && has('ffprobe')) return null;
  const reason = 'ffmpeg/ffprobe not found and could not be installed (apt-get install ffmpeg as root)';
  if (process.env.CI === 'true') throw new Error(`ffmpeg is required when CI=true: ${reason}`);
  return reason;
}

/** A test clip made by ffmpeg itself: `seconds` of the testsrc pattern with a tone, H.264 + AAC in MP4. */
export function makeTestVideo(path: string, seconds = 3, size = '320x240'): void {
  execFileSync('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', `testsrc=duration=${seconds}:size=${size}:rate=25`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', '-y', path,
  ], { stdio: 'ignore', timeout: 120_000 });
}
