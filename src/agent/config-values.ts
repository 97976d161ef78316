// Reading configuration values — durations, sizes, regexes, key sets — with errors that name the key.
import { LogstitchError } from '../model/errors.js';

/** A configuration mistake: the message names the key (`sources[0].start_at`) and what it should be. */
export class AgentConfigError extends LogstitchError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fails on keys outside `allowed`, naming the first and listing the valid ones. */
export function checkKeys(obj: Obj, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new AgentConfigError(`${where ? `${where}.` : ''}${key}: unknown key; expected one of ${allowed.join(', ')}`);
    }
  }
}

export function object(value: unknown, where: string): Obj {
  if (value === undefined || value === null) return {};
  if (!isObj(value)) throw new AgentConfigError(`${where}: must be a mapping (key: value lines)`);
  return value;
}

export function string(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw new AgentConfigError(`${where}: must be a non-empty string`);
  return value;
}

export function bool(value: unknown, where: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new AgentConfigError(`${where}: must be true or false`);
  return value;
}

export function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => {
    if (typeof item !== 'string' || item.length === 0) throw new AgentConfigError(`${where}[${i}]: must be a non-empty string`);
    return item;
  });
}

export function oneOf<T extends string>(value: unknown, options: readonly T[], where: string, fallback: T): T {
  if (value === undefined || value === null) return fallback;
  if (!options.includes(value as T)) throw new AgentConfigError(`${where}: must be one of ${options.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `5s`, `2m`, `1h`, `7d`, or a number of milliseconds → ms. */
export function duration(value: unknown, where: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim()) : null;
  if (m === null) throw new AgentConfigError(`${where}: must be a duration such as 250ms, 5s or 2m, not ${JSON.stringify(value)}`);
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2]!]!);
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `64KiB`, `1MB`, or a number of bytes → bytes; at least `min`. */
export function size(value: unknown, where: string, fallback: number, min = 1): number {
  if (value === undefined || value === null) return fallback;
  let bytes: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) bytes = Math.round(value);
  else if (typeof value === 'string') {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
    const unit = m?.[2]?.toLowerCase() || 'b';
    if (m !== null && SIZE_UNITS[unit] !== undefined) bytes = Math.round(Number(m[1]) * SIZE_UNITS[unit]);
  }
  if (bytes === undefined) throw new AgentConfigError(`${where}: must be a size such as 64KiB or 1MB, not ${JSON.stringify(value)}`);
  if (bytes < min) throw new AgentConfigError(`${where}: must be at least ${min} bytes`);
  return bytes;
}

export function integer(value: unknown, where: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AgentConfigError(`${where}: must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return value;
}

export function regexList(value: unknown, where: string): RegExp[] {
  return stringList(value, where).map((source, i) => {
    try {
      return new RegExp(source);
    } catch (error) {
      throw new AgentConfigError(`${where}[${i}]: not a valid regular expression: ${(error as Error).message}`);
    }
  });
}

export function url(value: unknown, where: string, fallback: string): string {
  const text = string(value, where) ?? fallback;
  try {
    const parsed = new URL(text);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new AgentConfigError(`${where}: must be an http:// or https:// URL, not ${JSON.stringify(text)}`);
  }
  return text.replace(/\/+$/, '');
}
