// The worker thread that runs the record stage, so that parsing and encoding use a second core while the
// main thread reads files and ships batches.
import { parentPort, workerData } from 'node:worker_threads';
import { stageParts, type StageSetup } from './stage-runner.js';
import { runStage, type StageInput } from './record-stage.js';

const { transforms, encoder } = stageParts(workerData as StageSetup);
parentPort!.on('message', (message: { id: number; input: StageInput }) => {
  const output = runStage(transforms, encoder, message.input);
  parentPort!.postMessage({ id: message.id, output }, [output.body.buffer as ArrayBuffer, output.starts.buffer as ArrayBuffer, output.outcomes.buffer as ArrayBuffer]);
});
