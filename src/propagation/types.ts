// The shape every propagation format has: inject, extract, fields (as OpenTelemetry's TextMapPropagator).
import type { OutboundContext, RemoteContext } from '../model/trace-context.js';

/** Reads header values from a carrier. Keys are asked for in lowercase. */
export interface Getter<C> {
  get(carrier: C, key: string): string | string[] | undefined;
}

/** Writes header values into a carrier. */
export interface Setter<C> {
  set(carrier: C, key: string, value: string): void;
}

export interface Propagator {
  /** Writes the context into the carrier's headers. Never throws. */
  inject<C>(context: OutboundContext, carrier: C, setter?: Setter<C>): void;
  /** Reads a context from the carrier's headers; undefined when absent or invalid. Never throws. */
  extract<C>(carrier: C, getter?: Getter<C>): RemoteContext | undefined;
  /** The header names this format reads and writes, lowercase. */
  fields(): readonly string[];
}

/** A plain header object (node's IncomingHttpHeaders or any record), read case-insensitively. */
export type HeaderRecord = Record<string, string | string[] | number | undefined>;

export const headerGetter: Getter<unknown> = {
  get(carrier, key) {
    if (carrier === null || typeof carrier !== 'object') return undefined;
    if (typeof (carrier as { get?: unknown }).get === 'function' && typeof (carrier as { has?: unknown }).has === 'function') {
      // A fetch Headers object (or any Map-like with case-insensitive get).
      const value = (carrier as { get(k: string): unknown }).get(key);
      return typeof value === 'string' ? value : undefined;
    }
    const record = carrier as HeaderRecord;
    const direct = record[key];
    if (direct !== undefined) return typeof direct === 'number' ? String(direct) : direct;
    // Plain objects written by people ({ 'X-Trace-ID': … }) are not lowercased; node's are.
    for (const name in record) {
      if (name.length === key.length && name.toLowerCase() === key) {
        const value = record[name];
        return typeof value === 'number' ? String(value) : value;
      }
    }
    return undefined;
  },
};

export const headerSetter: Setter<unknown> = {
  set(carrier, key, value) {
    if (carrier === null || typeof carrier !== 'object') return;
    if (typeof (carrier as { set?: unknown }).set === 'function' && typeof (carrier as { has?: unknown }).has === 'function') {
      (carrier as { set(k: string, v: string): void }).set(key, value);
      return;
    }
    (carrier as Record<string, string>)[key] = value;
  },
};

/** A single header value: the first of several, or undefined. Formats that forbid repeats check for arrays themselves. */
export function firstValue(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value[0];
  return value;
}

/** A format's extract step, given a getter already defaulted. */
export type ExtractFn = <C>(carrier: C, getter: Getter<C>) => RemoteContext | undefined;
/** A format's inject step, given a setter already defaulted. */
export type InjectFn = <C>(context: OutboundContext, carrier: C, setter: Setter<C>) => void;

/**
 * Builds a Propagator from a format's two steps, defaulting the getter and setter to plain headers
 * and catching whatever a carrier, getter or setter throws: a bad header must start a new trace, and
 * a rejected outbound header must not fail the caller's request. Every format in this folder uses it.
 */
export function definePropagator(extract: ExtractFn, inject: InjectFn, fields: readonly string[]): Propagator {
  const frozen: readonly string[] = Object.freeze([...fields]);
  return {
    inject(context, carrier, setter = headerSetter) {
      try {
        inject(context, carrier, setter);
      } catch {
        // Swallowed on purpose: see above.
      }
    },
    extract(carrier, getter = headerGetter) {
      try {
        return extract(carrier, getter);
      } catch {
        return undefined;
      }
    },
    fields() {
      return frozen;
    },
  };
}

/** The W3C Trace Context format. */
