// The shipper's queue: a FIFO of log lines that knows its byte size and gives each line a sequence number.

/**
 * Lines enter at the tail and leave at the head, either taken for a batch or dropped because the buffer is
 * full; either way the head moves, so the queued lines always hold the contiguous sequence numbers
 * `headSeq … nextSeq - 1`. That lets `flush()` ask "has everything up to line N left the queue?" cheaply.
 */
export class LineQueue {
  private lines: string[] = [];
  private sizes: number[] = [];
  private head = 0;
  private byteCount = 0;
  private seqAtHead = 0;

  /** How many lines are queued. */
  get length(): number {
    return this.lines.length - this.head;
  }

  /** How many bytes the queued lines take on the wire, one newline each included. */
  get bytes(): number {
    return this.byteCount;
  }

  /** The sequence number of the oldest queued line (equal to `nextSeq` when the queue is empty). */
  get headSeq(): number {
    return this.seqAtHead;
  }

  /** The sequence number the next pushed line will get. */
  get nextSeq(): number {
    return this.seqAtHead + this.length;
  }

  /** Appends a line whose wire size (`bytes`, newline included) the caller has already measured. */
  push(line: string, bytes: number): void {
    this.lines.push(line);
    this.sizes.push(bytes);
    this.byteCount += bytes;
  }

  /** Drops the oldest lines until at most `maxBytes` remain; returns how many lines it dropped. */
  dropOldestBeyond(maxBytes: number): number {
    let dropped = 0;
    while (this.byteCount > maxBytes && this.length > 0) {
      this.byteCount -= this.sizes[this.head] ?? 0;
      this.advance();
      dropped++;
    }
    this.compact();
    return dropped;
  }

  /** Takes the oldest lines, at most `maxLines` of them and at most `maxBytes` (but always at least one). */
  take(maxLines: number, maxBytes: number): { lines: string[]; bytes: number } {
    const lines: string[] = [];
    let bytes = 0;
    while (this.length > 0 && lines.length < maxLines) {
      const size = this.sizes[this.head] ?? 0;
      if (lines.length > 0 && bytes + size > maxBytes) break;
      lines.push(this.lines[this.head] as string);
      bytes += size;
      this.byteCount -= size;
      this.advance();
    }
    this.compact();
    return { lines, bytes };
  }

  /** Empties the queue; returns how many lines it held. */
  clear(): number {
    const count = this.length;
    this.seqAtHead += count;
    this.lines = [];
    this.sizes = [];
    this.head = 0;
    this.byteCount = 0;
    return count;
  }

  private advance(): void {
    // Release the string now rather than at the next compaction: a dropped line should free its memory.
    this.lines[this.head] = '';
    this.head++;
    this.seqAtHead++;
  }

  // Shifting an array is O(n); moving a head index and slicing the dead prefix away now and then is O(1)
  // amortised.
  private compact(): void {
    if (this.head === this.lines.length) {
      this.lines = [];
      this.sizes = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }
}
