// Makes any string fit the ingest protocol's line rules: one line, at most the maximum line size.
//
// Long lines are cut, never dropped, and the cut is flagged so the indexer and the reader know:
//
// - a JSON object line keeps its fields in order while they fit in half the limit (so `time`, `level`,
//   `trace_id`, `span_id`, `service` survive), its message (`msg`, else `message`) gets the rest, cut at a
//   character boundary, and it gains `"logstitch_truncated": true`, `"logstitch_original_bytes": <n>` and,
//   when some fields did not fit, `"logstitch_dropped_fields": ["name", …]` (at most 20 names);
// - any other line becomes `{"msg": <its first bytes>, "logstitch_truncated": true,
//   "logstitch_original_bytes": <n>}`.
//
// A line holding a raw newline would split into two records in NDJSON: a JSON object spread over several
// lines is re-serialised compactly, any other text is wrapped as `{"msg": <the text>}` (and cut as above if
// the wrapping makes it too long).

const MAX_DROPPED_NAMES = 20;
const MAX_NAME_CHARS = 100;

/** True when `line` (whose UTF-8 size is `bytes`) needs `fitLine` before it can be sent. */
export function needsFitting(line: string, bytes: number, maxBytes: number): boolean {
  return bytes > maxBytes || line.includes('\n');
}

/** Returns `line` reshaped to be a single line of at most `maxBytes` UTF-8 bytes, as described above. */
export function fitLine(line: string, maxBytes: number): string {
  const originalBytes = Buffer.byteLength(line);
  const object = parseObject(line);
  if (object !== undefined) {
    const compact = JSON.stringify(object);
    if (Buffer.byteLength(compact) <= maxBytes) return compact;
    return truncateObject(object, originalBytes, maxBytes);
  }
  if (!line.includes('\n') && originalBytes <= maxBytes) return line;
  const wrapped = JSON.stringify({ msg: line });
  if (Buffer.byteLength(wrapped) <= maxBytes) return wrapped;
  return withCutMessage({}, 'msg', line, originalBytes, maxBytes);
}

function parseObject(line: string): Record<string, unknown> | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function truncateObject(object: Record<string, unknown>, originalBytes: number, maxBytes: number): string {
  const messageKey = typeof object.msg === 'string' ? 'msg' : typeof object.message === 'string' ? 'message' : 'msg';
  const message = typeof object[messageKey] === 'string' ? (object[messageKey] as string) : '';
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  let used = 2;
  for (const [key, value] of Object.entries(object)) {
    if (key === messageKey) continue;
    const size = Buffer.byteLength(JSON.stringify(key)) + Buffer.byteLength(JSON.stringify(value) ?? '') + 2;
    if (used + size <= maxBytes / 2) {
      kept[key] = value;
      used += size;
    } else if (dropped.length < MAX_DROPPED_NAMES) {
      dropped.push(key.slice(0, MAX_NAME_CHARS));
    }
  }
  if (dropped.length > 0) kept.logstitch_dropped_fields = dropped;
  return withCutMessage(kept, messageKey, message, originalBytes, maxBytes);
}

/** Adds the flags and as much of `message` as fits; falls back to the flags alone if the fields do not fit. */
function withCutMessage(
  fields: Record<string, unknown>,
  messageKey: string,
  message: string,
  originalBytes: number,
  maxBytes: number,
): string {
  const flagged = { ...fields, [messageKey]: '', logstitch_truncated: true, logstitch_original_bytes: originalBytes };
  const baseBytes = Buffer.byteLength(JSON.stringify(flagged));
  if (baseBytes > maxBytes) {
    const bare = { logstitch_truncated: true, logstitch_original_bytes: originalBytes };
    return JSON.stringify({ msg: cutToJsonBytes(message, maxBytes - Buffer.byteLength(JSON.stringify(bare)) - 9), ...bare });
  }
  flagged[messageKey] = cutToJsonBytes(message, maxBytes - baseBytes);
  return JSON.stringify(flagged);
}

/** The longest prefix of `text` whose JSON string body (escapes included, quotes excluded) fits in `room`. */
function cutToJsonBytes(text: string, room: number): string {
  if (room <= 0) return '';
  let end = Math.min(text.length, room);
  for (let attempt = 0; attempt < 30 && end > 0; attempt++) {
    // Never end on the first half of a surrogate pair: that would leave a broken character.
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--;
    const prefix = text.slice(0, end);
    const size = Buffer.byteLength(JSON.stringify(prefix)) - 2;
    if (size <= room) return prefix;
    end = Math.min(end - 1, Math.floor((end * room) / size));
  }
  return '';
}
