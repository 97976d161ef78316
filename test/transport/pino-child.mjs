// A service that logs through the package's pino transport and then exits: how it exits is argv[2].
import pino from 'pino';

const [, , how, count] = process.argv;
const logger = pino(
  pino.transport({
    target: 'logstitch/pino/transport',
    // Neither the batch size nor the timer will send these lines: only closing on exit can.
    options: {
      url: process.env.INDEXER_URL,
      batchSize: 100_000,
      flushIntervalMs: 60_000,
      backoffBaseMs: 20,
      closeTimeoutMs: Number(process.env.CLOSE_TIMEOUT_MS ?? 5000),
    },
  }),
);
for (let i = 0; i < Number(count); i++) logger.info({ i }, `child line ${i}`);
if (how === 'exit') process.exit(0);
// 'natural': fall off the end and let the event loop empty.
