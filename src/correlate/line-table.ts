// What the trace view reads of each line, gathered in one pass into typed arrays: every later pass (spans
// derived from lines, attachment, clock correction, counts) reads these instead of the records again.
import type { LogRecord, Span } from '../model/records.js';

export interface LineTable {
  count: number;
  /** As logged (µs). */
  time: Float64Array;
  /** Index into `services`; -1 for a line that names none. */
  service: Int32Array;
  services: string[];
  serviceIndex: Map<string, number>;
  severity: Uint8Array;
  /** Index in the spans given of the span the line names; -1 when it names none of them. */
  named: Int32Array;
  /** 1 for a line with attributes: only those can be access-log lines or name a parent span. */
  attributed: Uint8Array;
}

/** One pass over the lines; `spans` are those a line's span ID is looked up in (the trace's received spans). */
export function lineTable(logs: readonly LogRecord[], spans: readonly Span[]): LineTable {
  const n = logs.length;
  const table: LineTable = {
    count: n,
    time: new Float64Array(n),
    service: new Int32Array(n),
    services: [],
    serviceIndex: new Map(),
    severity: new Uint8Array(n),
    named: new Int32Array(n),
    attributed: new Uint8Array(n),
  };
  const spanIndex = new Map<string, number>();
  for (let i = 0; i < spans.length; i++) spanIndex.set(spans[i]!.spanId, i);
  for (let i = 0; i < n; i++) {
    const log = logs[i]!;
    table.time[i] = log.time;
    table.severity[i] = log.severityNumber;
    table.service[i] = log.service === undefined ? -1 : serviceId(table, log.service);
    table.named[i] = log.spanId === undefined ? -1 : (spanIndex.get(log.spanId) ?? -1);
    table.attributed[i] = log.attributes === undefined ? 0 : 1;
  }
  return table;
}

/** The index of a service name in the table, adding it when new. */
export function serviceId(table: LineTable, name: string): number {
  let id = table.serviceIndex.get(name);
  if (id === undefined) {
    id = table.services.length;
    table.services.push(name);
    table.serviceIndex.set(name, id);
  }
  return id;
}
