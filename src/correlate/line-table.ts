// What the trace view reads of each line, gathered in one pass into typed arrays: every later pass (spans
// derived from lines, attachment, clock correction, counts) reads these instead of the records again.
import { lineArray, lineColumns, type LineList } from '../model/line-list.js';
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
  /** 1 for a line with attributes (or, from a store's columns, one that may have): only those can be access-log lines or name a parent span. */
  attributed: Uint8Array;
}

/**
 * One pass over the lines; `spans` are those a line's span ID is looked up in (the trace's received
 * spans). A store's columns are read as they are, without making a record per line.
 */
export function lineTable(logs: LineList<LogRecord>, spans: readonly Span[]): LineTable {
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
  const columns = lineColumns(logs);
  if (columns !== undefined) {
    // Lines of one service come in runs: the last name's number is remembered.
    let lastName: string | undefined;
    let lastId = -1;
    for (let i = 0; i < n; i++) {
      table.time[i] = columns.time(i);
      table.severity[i] = columns.severity(i);
      const service = columns.service(i);
      if (service !== lastName) (lastName = service), (lastId = service === undefined ? -1 : serviceId(table, service));
      table.service[i] = lastId;
      const spanId = columns.spanId(i);
      table.named[i] = spanId === undefined ? -1 : (spanIndex.get(spanId) ?? -1);
      table.attributed[i] = columns.mayHaveAttributes(i) ? 1 : 0;
    }
    return table;
  }
  // Indexed, not through `at`: Array.prototype.at is slower in this loop, which reads every line.
  const records = lineArray(logs);
  for (let i = 0; i < n; i++) {
    const log = records[i]!;
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
