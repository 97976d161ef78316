// Reads a gzip-compressed rotated file (`app.log.1.gz`) as the lines it holds, when a source asks for
// compressed files: offsets are positions in the decompressed text, and such a file never grows.
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

export class GzipCursor {
  private readonly chunks: AsyncIterator<Buffer>;
  /** The decompressed offset where `leftover` (or else the stream's next chunk) begins. */
  private position = 0;
  private leftover: Buffer | undefined;
  /** True once the whole file was decompressed. */
  ended = false;
  /** Set when the data is not gzip (or is corrupt): why; what came before it was read. */
  failed: string | undefined;

  constructor(fh: FileHandle) {
    const gunzip = createGunzip();
    // Damage is reported through the iterator below; a later error event must not reach the process.
    gunzip.on('error', () => {});
    fh.createReadStream({ start: 0, autoClose: false }).on('error', (error) => gunzip.destroy(error)).pipe(gunzip);
    this.chunks = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /**
   * The decompressed bytes from `offset` up to `limit` (exclusive), one piece at a time; undefined at the
   * end of the file or at the limit. Bytes before `offset` (read before a restart) are skipped.
   */
  async read(offset: number, limit: number): Promise<Buffer | undefined> {
    for (;;) {
      let chunk = this.leftover;
      this.leftover = undefined;
      if (chunk === undefined) {
        if (this.ended) return undefined;
        try {
          const next = await this.chunks.next();
          if (next.done === true) {
            this.ended = true;
            return undefined;
          }
          chunk = next.value;
        } catch (error) {
          this.ended = true;
          this.failed = (error as Error).message;
          return undefined;
        }
      }
      const start = this.position;
      const end = start + chunk.length;
      if (end <= offset) {
        this.position = end;
        continue;
      }
      const from = Math.max(0, offset - start);
      const to = Math.min(chunk.length, limit - start);
      if (to <= from) {
        this.leftover = chunk;
        return undefined;
      }
      if (to < chunk.length) {
        this.leftover = chunk.subarray(to);
        this.position = start + to;
      } else {
        this.position = end;
      }
      return chunk.subarray(from, to);
    }
  }
}
