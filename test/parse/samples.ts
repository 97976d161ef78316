// Reads a sample log file the way the agent does (split, joined into multiline records, parsed).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLineParser, MultilineJoiner, type ParsedLine, type ParserConfig } from '../../src/parse/index.js';

export const SAMPLES = fileURLToPath(new URL('../../samples/logs/', import.meta.url));

/** µs since the epoch of an ISO time, for readable expectations. */
export function us(iso: string): number {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (m === null) throw new Error(`bad test time ${iso}: write it in UTC, as 2024-03-12T09:15:02.123456Z`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** 2025-01-01T00:05Z: after every sample, and just after the New Year the syslog sample crosses. */
export const OBSERVED = us('2025-01-01T00:05:00Z');

export function sampleText(name: string): string {
  return readFileSync(SAMPLES + name, 'utf8');
}

/** Every record of a sample file, parsed as the agent would; `observed` is the time each was read. */
export function parseSample(name: string, config: ParserConfig = {}, observed = OBSERVED): ParsedLine[] {
  const parse = createLineParser(config);
  const joiner = new MultilineJoiner();
  const records: string[] = [];
  const lines = sampleText(name).split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) records.push(...joiner.push(line));
  records.push(...joiner.flush());
  return records.map((record) => parse(record, observed));
}
