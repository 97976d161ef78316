// POST /ingest: NDJSON log lines from the agent and the transports → records, keeping every line.
import { logRecordFromJson, rawLogRecord } from '../model/json-record.js';
import type { Decoded, DecodedAlias } from './decoded.js';

/** Longer lines are cut to this and flagged; the shipper cuts at the same size, so this is a backstop. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** How much of the line that joined an alias to a trace is kept with the link. */
const JOINED_BY_BODY_CHARS = 200;
/** How many per-line problems a reply lists; the counts cover the rest. */
export const MAX_REPORTED_ERRORS = 20;

/**
 * Every line becomes a record: a JSON object is read by logRecordFromJson; anything else (not JSON, not
 * an object, too long) is stored raw with a parse-error flag and reported, never dropped. Empty lines
 * are skipped. `errors` name lines by their 0-based index in the body. A Buffer must hold UTF-8 (the
 * receiver checks); it is split on its bytes and each line decoded alone, which is several times cheaper
 * than decoding a whole body into one string first.
 */
export function decodeNdjson(input: string | Buffer, observed: number): Decoded {
  const result: Decoded = { logs: [], spans: [], aliases: [], rejected: 0, errors: [] };
  const report = (index: number, problem: string): void => {
    if (result.errors.length < MAX_REPORTED_ERRORS) result.errors.push(`line ${index}: ${problem}`);
  };
  const text = typeof input === 'string' ? input : undefined;
  const bytes = typeof input === 'string' ? undefined : input;
  const length = input.length;
  let index = 0;
  let start = 0;
  while (start <= length) {
    let end = text !== undefined ? text.indexOf('\n', start) : bytes!.indexOf(10, start);
    if (end === -1) end = length;
    let line = text !== undefined ? text.slice(start, end) : bytes!.toString('utf8', start, end);
    start = end + 1;
    const lineIndex = index++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim().length === 0) {
      if (end === length) break;
      continue;
    }
    if (line.length > MAX_LINE_BYTES) {
      result.logs.push(rawLogRecord(line.slice(0, MAX_LINE_BYTES), observed, `line longer than ${MAX_LINE_BYTES} characters, cut`));
      report(lineIndex, 'stored raw and cut: longer than 1 MiB');
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      result.logs.push(rawLogRecord(line, observed, `not JSON: ${(error as Error).message}`));
      report(lineIndex, `stored raw: not JSON (${(error as Error).message})`);
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      result.logs.push(rawLogRecord(line, observed, 'not a JSON object'));
      report(lineIndex, 'stored raw: not a JSON object');
      continue;
    }
    const read = logRecordFromJson(parsed as Record<string, unknown>, observed);
    result.logs.push(read.log);
    if (read.span !== undefined) result.spans.push(read.span);
    const traceId = read.log.traceId;
    if (traceId !== undefined && read.aliases.length > 0) {
      const joinedBy = { ...(read.log.service !== undefined ? { service: read.log.service } : {}), time: read.log.time, body: read.log.body.slice(0, JOINED_BY_BODY_CHARS) };
      for (const alias of read.aliases) result.aliases.push({ alias, traceId, joinedBy } satisfies DecodedAlias);
    }
    if (read.warning !== undefined) report(lineIndex, read.warning);
  }
  return result;
}
