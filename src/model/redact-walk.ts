// The object walk: redacts sensitive keys, and the strings inside values, through objects, arrays and errors, copying only along the paths that change (or, for winston's info objects, writing into the object itself).
import { isCardNumber } from './luhn.js';
import type { KeyMatcher } from './redact-keys.js';
import type { StringRedactor } from './redact-strings.js';
import { isRedacted, MASK, maskCredential, type Token } from './redact-tokens.js';

/** A property whose value could not be read (a throwing getter or proxy): its serialisation would throw too. */
const UNREADABLE = '[REDACTED:unreadable]';
const CIRCULAR = '[Circular]';
/** Span and trace ID fields: their values are IDs, even when all 16 hex characters are digits. */
const ID_FIELDS = new Set([
  'trace_id', 'span_id', 'parent_span_id', 'parent_id', 'traceId', 'spanId', 'parentSpanId', 'parentId',
  'trace.id', 'span.id', 'dd.trace_id', 'dd.span_id',
]);
const INSPECT_CUSTOM = Symbol.for('nodejs.util.inspect.custom');
/**
 * Own enumerable string keys are visited with for-in and this check rather than Object.keys: V8 turns the
 * check into a shape test inside for-in and allocates no array, several times faster on small objects.
 */
const hasOwnProperty = Object.prototype.hasOwnProperty;

export interface WalkRules {
  keys: KeyMatcher;
  strings: StringRedactor;
  token: Token;
  /** hmac mode: values of sensitive keys are hashed whatever their type, not only strings. */
  hashing: boolean;
  cards: boolean;
  maxDepth: number;
}

interface Walk {
  ancestors: object[];
  /** The object redactInPlace mutates: references back to it stay valid. */
  stable: object | undefined;
  sawCycle: boolean;
  cutCycles: boolean;
}

export class ValueRedactor {
  private readonly keys: KeyMatcher;
  private readonly strings: StringRedactor;
  private readonly token: Token;
  private readonly hashing: boolean;
  private readonly cards: boolean;
  private readonly maxDepth: number;

  constructor(rules: WalkRules) {
    this.keys = rules.keys;
    this.strings = rules.strings;
    this.token = rules.token;
    this.hashing = rules.hashing;
    this.cards = rules.cards;
    this.maxDepth = rules.maxDepth;
  }

  /** A redacted copy, copied only along the paths that changed; `value` itself when nothing did. Never throws. */
  redactValue<T>(value: T): T {
    try {
      if (typeof value === 'string') return this.strings.redactString(value) as T;
      if (typeof value !== 'object' || value === null) return this.redactScalar(value) as T;
      return this.redactTree(value, 0, undefined) as T;
    } catch {
      return value;
    }
  }

  /**
   * Writes the redacted values into `obj`; nested objects are replaced by redacted copies, never
   * mutated. With `symbols` false, values under symbol keys are left alone. Returns whether anything
   * was replaced. Never throws.
   */
  redactInPlace(obj: Record<string | symbol, unknown>, symbols = true): boolean {
    let changed = false;
    try {
      if (typeof obj !== 'object' || obj === null || this.maxDepth < 1) return false;
      for (const key in obj) {
        if (!hasOwnProperty.call(obj, key)) continue;
        try {
          const value = obj[key];
          let result: unknown;
          if (this.keys.isSensitive(key)) result = this.replaceSensitive(key, value);
          else if (typeof value === 'string') result = this.redactField(key, value);
          else if (typeof value === 'object' && value !== null) result = this.redactTree(value, 1, obj);
          else result = this.redactScalar(value);
          if (!Object.is(result, value)) {
            setOwn(obj, key, result);
            changed = true;
          }
        } catch {
          try {
            changed = true;
            setOwn(obj, key, UNREADABLE);
          } catch {
            // A read-only property: nothing more can be done here.
          }
        }
      }
      if (!symbols) return changed;
      // Symbol keys (winston's level, message, splat) are kept; their contents are redacted like any value.
      const keys = Object.getOwnPropertySymbols(obj);
      for (let i = 0; i < keys.length; i++) {
        const sym = keys[i]!;
        try {
          const value = obj[sym];
          let result: unknown;
          if (typeof value === 'string') result = this.strings.redactString(value);
          else if (typeof value === 'object' && value !== null) result = this.redactTree(value, 1, obj);
          else result = this.redactScalar(value);
          if (!Object.is(result, value)) {
            obj[sym] = result;
            changed = true;
          }
        } catch {
          // As above.
        }
      }
    } catch {
      // A hostile object (a proxy whose traps throw) is left as it is.
    }
    return changed;
  }

  /**
   * Walks `value` copying on write. A cycle is left pointing at the original object, which is right when
   * nothing on the cycle changed; when something did, the walk is redone with cycles cut, so that no copy
   * can lead back to an unredacted original. `stable` is the object redactInPlace writes into.
   */
  private redactTree(value: object, depth: number, stable: object | undefined): unknown {
    const walk: Walk = { ancestors: stable === undefined ? [] : [stable], stable, sawCycle: false, cutCycles: false };
    const result = this.walk(value, depth, walk);
    if (!walk.sawCycle || Object.is(result, value)) return result;
    walk.cutCycles = true;
    return this.walk(value, depth, walk);
  }

  private walk(value: unknown, depth: number, walk: Walk): unknown {
    if (typeof value === 'string') return this.strings.redactString(value);
    if (typeof value !== 'object' || value === null) return this.redactScalar(value);
    if (depth >= this.maxDepth) return value;
    if (isAncestor(walk.ancestors, value)) {
      if (value === walk.stable) return value;
      walk.sawCycle = true;
      return walk.cutCycles ? CIRCULAR : value;
    }
    walk.ancestors.push(value);
    try {
      if (Array.isArray(value)) return this.walkArray(value, depth, walk);
      const proto = Object.getPrototypeOf(value) as object | null;
      if (proto === Object.prototype || proto === null) return this.walkObject(value as Record<string, unknown>, proto, depth, walk);
      if (value instanceof Error) return this.walkError(value, depth, walk);
      if (isOpaque(value)) return value;
      return this.walkObject(value as Record<string, unknown>, proto, depth, walk);
    } catch {
      return UNREADABLE;
    } finally {
      walk.ancestors.pop();
    }
  }

  private walkObject(obj: Record<string, unknown>, proto: object | null, depth: number, walk: Walk): unknown {
    let copy: Record<string, unknown> | undefined;
    for (const key in obj) {
      if (!hasOwnProperty.call(obj, key)) continue;
      const value = obj[key];
      let result: unknown;
      if (this.keys.isSensitive(key)) result = this.replaceSensitive(key, value);
      else if (typeof value === 'string') result = this.redactField(key, value);
      else if (typeof value === 'object' && value !== null) result = this.walk(value, depth + 1, walk);
      else result = this.redactScalar(value);
      if (!Object.is(result, value)) {
        copy ??= shallowCopy(obj, proto);
        setOwn(copy, key, result);
      }
    }
    return copy ?? obj;
  }

  private walkArray(array: unknown[], depth: number, walk: Walk): unknown {
    let copy: unknown[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const value = array[i];
      const result = this.walk(value, depth + 1, walk);
      if (!Object.is(result, value)) {
        copy ??= array.slice();
        copy[i] = result;
      }
    }
    return copy ?? array;
  }

  /** Errors carry their message, stack and cause as own non-enumerable properties: all are redacted. */
  private walkError(error: Error, depth: number, walk: Walk): unknown {
    let changes: Map<string, unknown> | undefined;
    for (const name of Object.getOwnPropertyNames(error)) {
      const descriptor = Object.getOwnPropertyDescriptor(error, name);
      if (descriptor === undefined || !('value' in descriptor)) continue;
      const value: unknown = descriptor.value;
      const result = this.keys.isSensitive(name) ? this.replaceSensitive(name, value) : this.walk(value, depth + 1, walk);
      if (!Object.is(result, value)) (changes ??= new Map()).set(name, result);
    }
    if (changes === undefined) return error;
    const copy = Object.create(Object.getPrototypeOf(error) as object | null) as Error;
    for (const key of Reflect.ownKeys(error)) {
      const descriptor = Object.getOwnPropertyDescriptor(error, key)!;
      if (typeof key === 'string' && changes.has(key)) descriptor.value = changes.get(key);
      Object.defineProperty(copy, key, descriptor);
    }
    return copy;
  }

  /** A string field; span and trace IDs are left alone even when all their hex digits are decimal. */
  private redactField(key: string, value: string): string {
    return (value.length === 16 || value.length === 32) && ID_FIELDS.has(key) ? value : this.strings.redactString(value);
  }

  /** Numbers that are card numbers (a form field parsed to a number) become card tokens. */
  private redactScalar(value: unknown): unknown {
    if (!this.cards) return value;
    if (typeof value === 'number') {
      if (value < 1e12 || !Number.isSafeInteger(value)) return value;
    } else if (typeof value === 'bigint') {
      if (value < 1_000_000_000_000n || value >= 10_000_000_000_000_000_000n) return value;
    } else {
      return value;
    }
    const digits = String(value);
    return isCardNumber(digits) ? this.strings.cardToken(digits) : value;
  }

  /** The value of a sensitive key, whatever its type. null and undefined say only that nothing was given. */
  private replaceSensitive(key: string, value: unknown): unknown {
    if (value === null || value === undefined) return value;
    if (typeof value === 'string') return isRedacted(value) ? value : maskCredential(key, value, this.token);
    if (!this.hashing) return MASK;
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return this.token(String(value), MASK);
    if (value instanceof Uint8Array) return this.token(value, MASK);
    if (typeof value !== 'object') return MASK;
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    return json === undefined ? MASK : this.token(json, MASK);
  }
}

/** `ancestors.includes(value)`, inlined: the list is as short as the walk is deep. */
function isAncestor(ancestors: object[], value: object): boolean {
  for (let i = 0; i < ancestors.length; i++) if (ancestors[i] === value) return true;
  return false;
}

/** Class instances worth not walking: built-ins, emitters (sockets, requests), and objects that serialise themselves. */
function isOpaque(value: object): boolean {
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof RegExp || value instanceof Map || value instanceof Set) return true;
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise || value instanceof ArrayBuffer) return true;
  if (value instanceof String || value instanceof Number || value instanceof Boolean) return true;
  const candidate = value as { toJSON?: unknown; on?: unknown; emit?: unknown; [INSPECT_CUSTOM]?: unknown };
  if (typeof candidate.toJSON === 'function' || typeof candidate[INSPECT_CUSTOM] === 'function') return true;
  return typeof candidate.on === 'function' && typeof candidate.emit === 'function';
}

function shallowCopy(obj: Record<string, unknown>, proto: object | null): Record<string, unknown> {
  if (proto === Object.prototype) return { ...obj };
  const copy = Object.create(proto) as Record<string | symbol, unknown>;
  for (const key of Object.keys(obj)) setOwn(copy, key, obj[key]);
  for (const sym of Object.getOwnPropertySymbols(obj)) {
    if (Object.prototype.propertyIsEnumerable.call(obj, sym)) copy[sym] = (obj as Record<symbol, unknown>)[sym];
  }
  return copy;
}

/** Assignment, except for a key named `__proto__`, which must stay an own property and not set the prototype. */
function setOwn(obj: Record<string | symbol, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}
