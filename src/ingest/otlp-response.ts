// The OTLP/HTTP export response, with partial success, in the encoding the request came in.

export type OtlpSignal = 'logs' | 'traces';

/**
 * ExportLogsServiceResponse / ExportTraceServiceResponse: `{ partialSuccess: { rejectedLogRecords |
 * rejectedSpans, errorMessage } }`, omitted when everything was accepted (an empty message).
 */
export function otlpResponseJson(signal: OtlpSignal, rejected: number, errorMessage: string): string {
  if (rejected === 0 && errorMessage === '') return '{}';
  const counter = signal === 'logs' ? 'rejectedLogRecords' : 'rejectedSpans';
  return JSON.stringify({ partialSuccess: { [counter]: String(rejected), errorMessage } });
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return bytes;
}

/**
 * The same message in protobuf: field 1 (partial_success) holding field 1 (rejected count, int64) and
 * field 2 (error_message, string). Both signals number their fields alike.
 */
export function otlpResponseProtobuf(rejected: number, errorMessage: string): Buffer {
  if (rejected === 0 && errorMessage === '') return Buffer.alloc(0);
  const message = Buffer.from(errorMessage, 'utf8');
  const inner = Buffer.from([...(rejected > 0 ? [0x08, ...varint(rejected)] : []), ...(message.length > 0 ? [0x12, ...varint(message.length)] : [])]);
  const partial = Buffer.concat([inner, message]);
  return Buffer.concat([Buffer.from([0x0a, ...varint(partial.length)]), partial]);
}
