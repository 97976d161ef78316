// The pino transport: runs in pino's worker thread and ships each line pino writes to the logstitch indexer.
//
//   pino(pino.transport({ target: 'logstitch/pino/transport', options: { url: 'http://indexer:4318' } }))
//
// Lines go out byte for byte as pino wrote them. When the logger ends or the process exits, pino waits
// for this transport to close, and closing sends what is queued, waiting up to closeTimeoutMs.
import build from 'pino-abstract-transport';
import { BatchShipper, DEFAULT_CLOSE_TIMEOUT_MS, type ShipperOptions } from '../shared/shipper.js';

/** Options cross into the worker thread by structured clone, so they hold data only: no callbacks. */
export interface PinoTransportOptions extends Omit<ShipperOptions, 'onWarning' | 'env' | 'flushOnExit'> {
  /**
   * How long closing waits for the indexer before giving up and reporting the loss. Default 5 s; keep it
   * under 10 s, the longest pino waits for a transport when the process exits.
   */
  closeTimeoutMs?: number;
}

export default async function indexerTransport(options: PinoTransportOptions = {}) {
  // The worker's own exit is pino's business; closing below covers it.
  const shipper = new BatchShipper({ ...options, flushOnExit: false });
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  return build(
    async (source) => {
      for await (const line of source) shipper.add(line as string);
    },
    {
      parse: 'lines',
      // Keep the text as pino wrote it: no JSON.parse per line, and nothing re-serialised.
      parseLine: (line) => line,
      close: () => shipper.close(closeTimeoutMs),
    },
  );
}
