// Reading what services logged: JSON lines, or text lines stamped `trace_id=… span_id=…`.

export interface ParsedLine {
  raw: string;
  json: Record<string, unknown> | undefined;
  traceId: string | undefined;
  spanId: string | undefined;
}

export function parseLine(raw: string): ParsedLine {
  let json: Record<string, unknown> | undefined;
  if (raw.startsWith('{')) {
    try {
      json = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
  }
  const traceId = typeof json?.trace_id === 'string' ? json.trace_id : /trace_id=([0-9a-f]{32})/.exec(raw)?.[1];
  const spanId = typeof json?.span_id === 'string' ? json.span_id : /span_id=([0-9a-f]{16})/.exec(raw)?.[1];
  return { raw, json, traceId, spanId };
}

export interface SpanEndView {
  service: string | undefined;
  traceId: string;
  spanId: string;
  kind: string;
  name: string;
  parent: string | undefined;
  status: string;
  statusCode: number | undefined;
  durationUs: number;
  startUs: number;
  timings: Record<string, number> | undefined;
}

export function spanEnds(lines: string[]): SpanEndView[] {
  const spans: SpanEndView[] = [];
  for (const raw of lines) {
    const { json } = parseLine(raw);
    const end = json?.span_end as Record<string, unknown> | undefined;
    if (json === undefined || end === undefined) continue;
    const http = end.http as Record<string, unknown> | undefined;
    spans.push({
      service: json.service as string | undefined,
      traceId: json.trace_id as string,
      spanId: json.span_id as string,
      kind: end.kind as string,
      name: end.name as string,
      parent: end.parent_span_id as string | undefined,
      status: end.status as string,
      statusCode: http?.status_code as number | undefined,
      durationUs: end.duration_us as number,
      startUs: end.start_us as number,
      timings: end.timings as Record<string, number> | undefined,
    });
  }
  return spans;
}
