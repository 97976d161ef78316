// The worker thread that runs the record stage, so that parsing and encoding use a second core while the
// main thread reads files and ships batches.
import { parentPort, workerData } from 'node:worker_threads';
import { stageParts, type StageSetup } from './stage-runner.js';
import { OutputPool } from './output-pool.js';
import { runStage } from './record-stage.js';
import { unpack, type PackedInput } from './stage-message.js';

const { transforms, encoder } = stageParts(workerData as StageSetup);
const pool = new OutputPool();
let scratch = Buffer.allocUnsafeSlow(0);
parentPort!.on('message', (message: { id: number; input: PackedInput } | { recycle: ArrayBuffer[] }) => {
  // Output buffers the main thread is done with, back for reuse.
  if ('recycle' in message) {
    for (const buffer of message.recycle) pool.give(buffer);
    return;
  }
  // The bytes arrive over memory shared with the main thread: copied here at once, since reading shared
  // memory a line at a time cost three times as much.
  const shared = message.input.bytes;
  let bytes: Buffer | undefined;
  if (shared !== undefined) {
    if (scratch.length < shared.byteLength) scratch = Buffer.allocUnsafeSlow(shared.byteLength);
    scratch.set(shared);
    bytes = scratch.subarray(0, shared.byteLength);
  }
  const output = runStage(transforms, encoder, unpack(message.input, bytes), pool);
  parentPort!.postMessage({ id: message.id, output }, [output.body.buffer as ArrayBuffer, output.starts.buffer as ArrayBuffer, output.outcomes.buffer as ArrayBuffer]);
});
