// JSON for whatever a logger call was handed: never throws, whatever the object graph holds.
//
// Differences from JSON.stringify: a BigInt becomes its decimal string; a reference back to an enclosing
// object becomes "[Circular]"; an Error becomes { name, message, stack, …its own fields }; a Map becomes
// an object and a Set an array; nesting deeper than 20 becomes "[Too deep]"; a getter or toJSON that
// throws becomes "[Unserializable: <reason>]".

const MAX_DEPTH = 20;

export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(toPlain(value, [], 0)) ?? 'null';
  } catch (error) {
    return JSON.stringify(unserializable(error));
  }
}

function toPlain(value: unknown, ancestors: object[], depth: number): unknown {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (ancestors.includes(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';
  ancestors.push(value);
  try {
    return objectToPlain(value, ancestors, depth + 1);
  } catch (error) {
    return unserializable(error);
  } finally {
    ancestors.pop();
  }
}

function objectToPlain(value: object, ancestors: object[], depth: number): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message, stack: value.stack };
    copyFields(value, out, ancestors, depth);
    if (value.cause !== undefined && !('cause' in out)) out.cause = toPlain(value.cause, ancestors, depth);
    return out;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return toPlain(toJSON.call(value), ancestors, depth);
  if (Array.isArray(value)) return value.map((item) => toPlain(item, ancestors, depth) ?? null);
  if (value instanceof Set) return [...value].map((item) => toPlain(item, ancestors, depth) ?? null);
  const out: Record<string, unknown> = {};
  if (value instanceof Map) {
    for (const [key, item] of value) {
      const plain = toPlain(item, ancestors, depth);
      if (plain !== undefined) out[String(key)] = plain;
    }
    return out;
  }
  copyFields(value, out, ancestors, depth);
  return out;
}

function copyFields(from: object, to: Record<string, unknown>, ancestors: object[], depth: number): void {
  for (const key of Object.keys(from)) {
    let plain: unknown;
    try {
      plain = toPlain((from as Record<string, unknown>)[key], ancestors, depth);
    } catch (error) {
      plain = unserializable(error);
    }
    if (plain !== undefined) to[key] = plain;
  }
}

function unserializable(error: unknown): string {
  let reason: string;
  try {
    reason = error instanceof Error ? error.message : String(error);
  } catch {
    reason = 'unknown';
  }
  return `[Unserializable: ${reason}]`;
}
