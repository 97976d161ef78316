// Wakes the agent when something changes under the directories it follows, so that new lines and new
// files are read at once rather than at the next poll. chokidar does the watching; the periodic scan
// stays the source of truth, so a missed event delays a line by at most one poll, never loses it.
import type { Logger } from 'pino';

export interface Watcher {
  close(): Promise<void>;
}

interface ChokidarLike {
  on(event: 'all', listener: (event: string, path: string) => void): ChokidarLike;
  on(event: 'error', listener: (error: unknown) => void): ChokidarLike;
  close(): Promise<void>;
}

/**
 * Watches `dirs`; calls `onChange(structural)` on every event, `structural` true when files or
 * directories appeared or vanished (a scan is due). Resolves to a no-op watcher when chokidar cannot be
 * loaded: polling then does all the work.
 */
export async function watchDirectories(dirs: string[], onChange: (structural: boolean) => void, log: Logger): Promise<Watcher> {
  let chokidar: { watch(paths: string[], options: Record<string, unknown>): ChokidarLike };
  try {
    const name = 'chokidar';
    chokidar = (await import(name)) as typeof chokidar;
  } catch {
    log.warn('chokidar is not installed; finding new lines and files by polling alone');
    return { close: async () => {} };
  }
  const watcher = chokidar.watch(dirs, { ignoreInitial: true, persistent: false, followSymlinks: true });
  watcher.on('all', (event) => onChange(event !== 'change'));
  // A watch that fails (too many inotify watches, a vanished directory) leaves polling in charge.
  watcher.on('error', (error) => log.warn({ err: error }, 'file watching failed; polling continues'));
  return { close: () => watcher.close() };
}
