// What a person watching the terminal sees: the agent's live status line, and an import's progress.
import type { AgentStatus } from './agent.js';
import type { ImportProgress } from './import.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** `3 files · 12,345 lines/s · 1.2 MiB behind · 0 retries`, plus what is wrong when something is. */
export function statusLine(status: AgentStatus, linesPerSec: number): string {
  const parts = [
    `${status.files} file${status.files === 1 ? '' : 's'}`,
    `${Math.round(linesPerSec).toLocaleString('en-US')} lines/s`,
    `${formatBytes(status.bytesBehind)} behind`,
    `${status.retries} ${status.retries === 1 ? 'retry' : 'retries'}`,
  ];
  if (status.failing > 0) parts.push('sink unreachable, retrying');
  else if (status.paused) parts.push('paused: waiting for the sink');
  return parts.join(' · ');
}

/** Redraws one status line in place, once a second, on a terminal only. */
export function startStatusLine(stream: NodeJS.WriteStream, read: () => AgentStatus): () => void {
  if (stream.isTTY !== true) return () => {};
  let lastLines = read().linesRead;
  let lastAt = Date.now();
  const timer = setInterval(() => {
    const status = read();
    const now = Date.now();
    const rate = ((status.linesRead - lastLines) * 1000) / Math.max(1, now - lastAt);
    lastLines = status.linesRead;
    lastAt = now;
    stream.write(`\r\x1b[K${statusLine(status, rate)}`);
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    stream.write('\r\x1b[K');
  };
}

/** `[##########----------]  50%  12.0 MiB / 24.0 MiB  120,000 lines`. */
export function progressBar(p: ImportProgress, width = 30): string {
  const fraction = p.bytesTotal === 0 ? 1 : Math.min(1, p.bytesDone / p.bytesTotal);
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}  ${p.lines.toLocaleString('en-US')} lines`;
}

/** On a terminal a bar redrawn in place; otherwise a plain line at each tenth of the way. */
export function progressReporter(stream: NodeJS.WriteStream): { update(p: ImportProgress): void; done(): void } {
  if (stream.isTTY === true) {
    return {
      update: (p) => void stream.write(`\r\x1b[K${progressBar(p)}`),
      done: () => void stream.write('\n'),
    };
  }
  let lastTenth = -1;
  return {
    update(p) {
      const tenth = p.bytesTotal === 0 ? 10 : Math.floor((p.bytesDone / p.bytesTotal) * 10);
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      stream.write(`progress: ${tenth * 10}% (${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} acknowledged, ${p.lines} lines read)\n`);
    },
    done: () => {},
  };
}
