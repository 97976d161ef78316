// The record stage over a large generated corpus of good and broken JSON lines: what the indexer stores
// from the stage's output — lines settled over their bytes and sent as written, and the rest parsed — is
// what it stores when every line is parsed, enriched, redacted and marked by the agent.
import { describe, expect, it } from 'vitest';
import { nativeEncoder } from '../../src/agent/encode.js';
import { runStage, type StageInput } from '../../src/agent/record-stage.js';
import { RecordTransform, serviceForPath } from '../../src/agent/transform.js';
import { decodeNdjson } from '../../src/ingest/native.js';
import type { LogRecord } from '../../src/model/records.js';
import { createRedactor } from '../../src/model/redact.js';
import { createJsonLineReader, createLineParser } from '../../src/parse/index.js';
import { jsonCorpus } from '../parse/json-corpus.js';
import { testConfig } from './helpers.js';

const FILE = '/var/log/app/app.log';
const OBSERVED = 1_700_000_000_000_000;
/** Secrets the redactor finds wherever they are (a bearer token is one only under a key such as `authorization`, which the corpus also misspells). */
const SECRETS = ['hunter2', 'abc123secret', '4111 1111 1111 1111', '4111111111111111'];

/** The lines as one chunk of a file: bytes, each line's place, and every third line's text already decoded (as the main thread hands some over). */
function chunkOf(lines: string[]): StageInput {
  const bytes = Buffer.from(`${lines.join('\n')}\n`);
  const at: number[] = [];
  const originalBytes: number[] = [];
  let p = 0;
  for (const line of lines) {
    const n = Buffer.byteLength(line);
    at.push(p);
    originalBytes.push(n);
    p += n + 1;
  }
  const zeros = new Array<number>(lines.length).fill(0);
  return { source: 0, path: FILE, service: 'fallback-svc', texts: lines.map((line, i) => (i % 3 === 0 ? line : undefined)), flags: zeros, originalBytes, cuts: zeros, bytes, at };
}

/** A stored record without what differs by design: when each way observed it (a line with no time of its own takes that). */
function comparable(log: LogRecord): Record<string, unknown> {
  const { observedTime, time, ...rest } = log;
  return { ...rest, time: time === observedTime || time === OBSERVED ? 'observed' : time };
}

describe('the record stage over a generated corpus', () => {
  it.each([
    ['redaction and a static attribute', { attributes: { env: 'prod' } }, {}],
    ['no redaction', {}, { redact: false }],
    ['a static attribute named like an Object member', { attributes: { constructor: 'c' } }, {}],
  ])('with %s, stores through the indexer exactly what parsing every line would, and sends no secret as written', (_with, sourceDoc, doc) => {
    const config = testConfig({ sources: [{ include: ['/var/log/app/*.log'], service: 'fallback-svc', ...sourceDoc }], ...doc });
    const source = config.sources[0]!;
    expect(serviceForPath(source, FILE)).toBe('fallback-svc');
    const redactor = config.redact === false ? undefined : createRedactor(config.redact);
    const fast = new RecordTransform(source, config.host, createLineParser(source.parser), redactor, createJsonLineReader(source.parser));
    const parsed = new RecordTransform(source, config.host, createLineParser(source.parser), redactor);
    const lines = jsonCorpus(20_000, 5).filter((line) => line.trim().length > 0);
    const input = chunkOf(lines);

    const viaFast = runStage([fast], nativeEncoder, input);
    const viaParsed = runStage([parsed], nativeEncoder, input);
    expect([...viaFast.outcomes]).toEqual([...viaParsed.outcomes]);
    const stored = decodeNdjson(Buffer.from(viaFast.body), OBSERVED);
    const expected = decodeNdjson(Buffer.from(viaParsed.body), OBSERVED);
    expect(stored.logs.length).toBe(expected.logs.length);
    expect(stored.logs.length).toBeGreaterThan(lines.length * 0.9);
    for (let i = 0; i < stored.logs.length; i++) expect(comparable(stored.logs[i]!), lines[i]).toEqual(comparable(expected.logs[i]!));
    expect(stored.spans).toEqual(expected.spans);
    expect(stored.errors).toEqual(expected.errors);
    expect(stored.aliases.map((a) => a.alias)).toEqual(expected.aliases.map((a) => a.alias));

    // Most of the pino-shaped lines went out as written; with redaction, none of them carries a secret.
    const wire = Buffer.from(viaFast.body).toString('utf8').split('\n');
    const asWritten = wire.filter((line) => line.length > 0 && !line.startsWith('{"@logstitch":1'));
    expect(asWritten.length).toBeGreaterThan(lines.length * 0.25);
    if (redactor !== undefined) for (const secret of SECRETS) expect(asWritten.filter((line) => line.includes(secret))).toEqual([]);
  });
});
