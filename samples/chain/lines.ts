// A log destination for the sample services: keeps every line, and optionally echoes it with a prefix.
import { Writable } from 'node:stream';

export class LineSink extends Writable {
  readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly echo?: (line: string) => void) {
    super({ decodeStrings: false });
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    callback();
  }

  /** pino writes to `write` synchronously and expects no callback. */
  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    this.take(typeof chunk === 'string' ? chunk : String(chunk));
    if (typeof encoding === 'function') (encoding as () => void)();
    else if (typeof callback === 'function') (callback as () => void)();
    return true;
  }

  private take(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.length === 0) continue;
      this.lines.push(line);
      this.echo?.(line);
    }
  }
}
