// Query-string values: times (ISO 8601 or epoch ms), limits and cursors, each checked with a clear 400.
import { microsFromIso } from '../model/time.js';
import { HttpError } from './errors.js';

/** ISO 8601, or epoch milliseconds → µs; undefined when absent. */
export function timeParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value) * 1000;
  const iso = microsFromIso(value);
  if (iso === undefined) throw new HttpError(400, 'BAD_TIME', `${name} must be ISO 8601 (2026-11-24T09:00:00Z) or epoch milliseconds, not ${JSON.stringify(value)}`);
  return iso;
}

export function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const value = params.get(name);
  if (value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, 'BAD_PARAMETER', `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return n;
}
