// The winston transport: sends each log entry straight to the logstitch indexer, with no log file between.
import TransportStream from 'winston-transport';
import { safeStringify } from '../shared/safe-stringify.js';
import { BatchShipper, DEFAULT_CLOSE_TIMEOUT_MS, type ShipperOptions, type ShipperStats } from '../shared/shipper.js';

const MESSAGE = Symbol.for('message');

export interface IndexerTransportOptions extends ShipperOptions, TransportStream.TransportStreamOptions {
  /** How long ending or closing the transport waits for the indexer before giving up. Default 5 s. */
  closeTimeoutMs?: number;
}

/**
 * `winston.createLogger({ format: winston.format.json(), transports: [new IndexerTransport({ url })] })`.
 * `logger.end()` waits (up to closeTimeoutMs) for queued lines to reach the indexer before 'finish'.
 */
export class IndexerTransport extends TransportStream {
  private readonly shipper: BatchShipper;
  private readonly closeTimeoutMs: number;

  constructor(options: IndexerTransportOptions = {}) {
    super(options);
    this.shipper = new BatchShipper(options);
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    this.shipper.add(lineOf(info));
    setImmediate(() => this.emit('logged', info));
    callback();
  }

  /** Called by winston when the transport is removed or the logger closed: ship what is left, then let go. */
  override close(): void {
    void this.shipper.close(this.closeTimeoutMs).then(() => this.emit('closed'));
  }

  // Winston ends its transports on logger.end() and waits for their 'finish': make that mean "delivered".
  override _final(callback: (error?: Error | null) => void): void {
    this.shipper.close(this.closeTimeoutMs).then(() => callback(), callback);
  }

  /** Resolves when every entry logged so far has been delivered, refused or dropped. */
  flush(): Promise<void> {
    return this.shipper.flush();
  }

  stats(): ShipperStats {
    return this.shipper.stats();
  }
}

/** The line to ship: what a JSON format already produced, else our own JSON of the entry. */
function lineOf(info: Record<string | symbol, unknown>): string {
  const formatted = info[MESSAGE];
  if (typeof formatted === 'string' && formatted.startsWith('{') && formatted.endsWith('}')) return formatted;
  try {
    // level and message first, as a json format would write them; symbol keys (winston's own) are left out.
    return safeStringify({ level: info.level, message: info.message, ...info });
  } catch {
    return safeStringify(info);
  }
}
