// A script that ships one line with the built BatchShipper and never closes it: the process must still exit.
import { BatchShipper } from '../../dist/adapters/shared/shipper.js';

const shipper = new BatchShipper({ url: process.env.INDEXER_URL, flushIntervalMs: 60_000, backoffBaseMs: 20 });
shipper.add(JSON.stringify({ msg: 'from a short script' }));
