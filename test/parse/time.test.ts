// Timestamps: the formats lines carry, epoch units, custom formats, configured zones and DST.
import { Settings } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createLineParser, ParserConfigError, type ParserConfig } from '../../src/parse/index.js';
import { OBSERVED, parseSample, us } from './samples.js';

const iso = (t: number) => new Date(t / 1000).toISOString();
const bracketed = (config = {}) => createLineParser({ format: 'regex', pattern: '^\\[(?<time>[^\\]]+)\\] (?<msg>.*)$', ...config });

describe('DST in America/New_York (zone-less logback times)', () => {
  const times = parseSample('dst-new-york.log', { zone: 'America/New_York' }).map((r) => iso(r.log.time));

  it('reads times on either side of the spring-forward with their own offsets', () => {
    expect(times[0]).toBe('2024-03-10T06:59:59.500Z'); // 01:59:59.5 EST
    expect(times[2]).toBe('2024-03-10T07:00:00.250Z'); // 03:00:00.25 EDT
  });

  it('reads a time in the skipped hour with the offset before the change (02:30 → 02:30 EST = 03:30 EDT)', () => {
    expect(times[1]).toBe('2024-03-10T07:30:00.000Z');
  });

  it('reads a time in the repeated hour as its earlier instant (01:30 → 01:30 EDT)', () => {
    expect(times[3]).toBe('2024-11-03T04:59:59.000Z');
    expect(times[4]).toBe('2024-11-03T05:30:00.000Z');
    expect(times[5]).toBe('2024-11-03T07:00:00.000Z'); // 02:00 EST
  });

  it('reads the repeated hour the same whatever the season the agent started in', () => {
    // luxon settles a repeated hour by the zone's offset when it first read a time; ours must not.
    const line = '2024-11-03 01:30:00,000 - nightly - INFO - close';
    const at = (startedAt: number) => {
      Settings.now = () => startedAt;
      Settings.resetCaches();
      try {
        return iso(createLineParser({ zone: 'America/New_York' })(line, OBSERVED).log.time);
      } finally {
        Settings.now = () => Date.now();
        Settings.resetCaches();
      }
    };
    expect(at(Date.UTC(2024, 0, 15))).toBe('2024-11-03T05:30:00.000Z');
    expect(at(Date.UTC(2024, 6, 15))).toBe('2024-11-03T05:30:00.000Z');
  });

  it('tells the two 01:30s apart when the line carries its offset', () => {
    const offsets = parseSample('dst-new-york-offsets.log', { zone: 'America/New_York' }).map((r) => iso(r.log.time));
    expect(offsets).toEqual(['2024-11-03T05:30:00.000Z', '2024-11-03T06:30:00.000Z']);
  });
});

describe('DST in Europe/Berlin (zone-less Python asctime)', () => {
  it('follows CET/CEST, with the same rules for the skipped and repeated hours', () => {
    const times = parseSample('dst-berlin.log', { zone: 'Europe/Berlin' }).map((r) => iso(r.log.time));
    expect(times).toEqual([
      '2024-03-31T00:59:59.900Z', // 01:59:59.9 CET
      '2024-03-31T01:30:00.000Z', // 02:30 skipped: read as CET (= 03:30 CEST)
      '2024-03-31T01:00:00.100Z', // 03:00:00.1 CEST
      '2024-10-27T00:30:00.000Z', // 02:30 repeated: the earlier, CEST
      '2024-10-27T02:00:00.000Z', // 03:00 CET
    ]);
  });

  it('reads the same file as UTC when no zone is configured', () => {
    expect(iso(parseSample('dst-berlin.log')[0]!.log.time)).toBe('2024-03-31T01:59:59.900Z');
  });
});

describe('timestamp formats', () => {
  it('reads ISO 8601 with Z, offsets, comma fractions, and nanoseconds to the µs', () => {
    const parse = bracketed({ zone: 'Asia/Kolkata' });
    expect(parse('[2024-03-12T09:15:02.123456789Z] a', OBSERVED).log.time).toBe(us('2024-03-12T09:15:02.123456Z'));
    expect(parse('[2024-03-12T09:15:02+05:30] a', OBSERVED).log.time).toBe(us('2024-03-12T03:45:02Z'));
    expect(parse('[2024-03-12 09:15:02,5 -0130] a', OBSERVED).log.time).toBe(us('2024-03-12T10:45:02.500Z'));
    expect(parse('[2024-03-12T09:15:02] zone-less, so Kolkata', OBSERVED).log.time).toBe(us('2024-03-12T03:45:02Z'));
  });

  it('reads RFC 2822 and CLF', () => {
    const parse = bracketed();
    expect(parse('[Tue, 12 Mar 2024 09:15:02 -0400] a', OBSERVED).log.time).toBe(us('2024-03-12T13:15:02Z'));
    expect(parse('[12 Mar 2024 09:15:02 GMT] a', OBSERVED).log.time).toBe(us('2024-03-12T09:15:02Z'));
    expect(parse('[Tue, 12 Mar 2024 09:15:02 PDT] a', OBSERVED).log.time).toBe(us('2024-03-12T16:15:02Z'));
    expect(parse('[10/Oct/2000:13:55:36 -0700] a', OBSERVED).log.time).toBe(us('2000-10-10T20:55:36Z'));
  });

  it('tells epoch seconds, ms, µs and ns apart by their digits', () => {
    const parse = createLineParser();
    const at = (ts: string) => parse(`ts=${ts} level=info msg=x`, OBSERVED).log.time;
    expect(at('1710249302')).toBe(us('2024-03-12T13:15:02Z'));
    expect(at('1710249302.117123')).toBe(us('2024-03-12T13:15:02.117123Z'));
    expect(at('1710249302117')).toBe(us('2024-03-12T13:15:02.117Z'));
    expect(at('1710249302117123')).toBe(us('2024-03-12T13:15:02.117123Z'));
    expect(at('1710249302117123999')).toBe(us('2024-03-12T13:15:02.117123Z'));
  });

  it('reads a custom luxon-style format, in the configured zone', () => {
    const parse = bracketed({ timeFormat: 'dd.MM.yyyy HH:mm:ss,SSS', zone: 'Europe/Berlin' });
    expect(parse('[12.03.2024 09:15:02,117] a', OBSERVED).log.time).toBe(us('2024-03-12T08:15:02.117Z'));
    const us12h = bracketed({ timeFormat: 'MMM d, yyyy h:mm:ss a', zone: 'America/Chicago' });
    expect(us12h.call(null, '[Mar 12, 2024 12:05:00 AM] a', OBSERVED).log.time).toBe(us('2024-03-12T05:05:00Z'));
    expect(us12h('[Mar 12, 2024 1:05:00 PM] a', OBSERVED).log.time).toBe(us('2024-03-12T18:05:00Z'));
    const named = bracketed({ timeFormat: "yyyy-MM-dd'T'HH:mm:ss z" });
    expect(named('[2024-03-12T09:15:02 Asia/Tokyo] a', OBSERVED).log.time).toBe(us('2024-03-12T00:15:02Z'));
  });

  it('finds a custom-format time at the start of a line in auto mode', () => {
    const parse = createLineParser({ timeFormat: 'dd/MM/yyyy HH:mm:ss', zone: 'Europe/Berlin' });
    const { log } = parse('12/03/2024 09:15:02 WARN disk almost full', OBSERVED);
    expect(log).toMatchObject({ time: us('2024-03-12T08:15:02Z'), severityNumber: 13, body: 'disk almost full' });
    expect(log.parseError).toBeUndefined();
  });

  it('reads a line it understands but whose time it cannot, at the observed time, saying so', () => {
    const { log } = bracketed()('[2024-02-30T10:00:00Z] impossible date', OBSERVED);
    expect(log).toMatchObject({ time: OBSERVED, body: 'impossible date', attributes: { 'log.time_error': 'time "2024-02-30T10:00:00Z" not understood' } });
  });

  it('accepts a fixed offset as the zone', () => {
    const parse = createLineParser({ zone: '+05:30' });
    expect(parse('2024-03-12 09:15:02,000 - a - INFO - x', OBSERVED).log.time).toBe(us('2024-03-12T03:45:02Z'));
    expect(createLineParser({ zone: 'UTC-3' })('2024-03-12 09:15:02,000 - a - INFO - x', OBSERVED).log.time).toBe(us('2024-03-12T12:15:02Z'));
  });

  it("accepts 'local' as the machine's zone", () => {
    const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const a = createLineParser({ zone: 'local' })('2024-07-01 12:00:00,000 - a - INFO - x', OBSERVED).log.time;
    const b = createLineParser({ zone: local })('2024-07-01 12:00:00,000 - a - INFO - x', OBSERVED).log.time;
    expect(a).toBe(b);
  });
});

describe('timestamps luxon reads for us', () => {
  it('reads all three HTTP date forms (RFC 1123, RFC 850, asctime)', () => {
    const parse = bracketed({ zone: 'Asia/Tokyo' });
    const at = (text: string) => parse(`[${text}] GET /`, OBSERVED).log.time;
    expect(at('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(us('1994-11-06T08:49:37Z'));
    expect(at('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(us('1994-11-06T08:49:37Z'));
    expect(at('Sun Nov  6 08:49:37 1994')).toBe(us('1994-11-06T08:49:37Z'));
  });

  it('keeps µs that luxon does not: ISO, CLF and syslog fractions', () => {
    const parse = bracketed({ zone: 'Europe/Berlin' });
    expect(parse('[2024-03-12 09:15:02.123456] a', OBSERVED).log.time).toBe(us('2024-03-12T08:15:02.123456Z'));
    expect(parse('[10/Oct/2000:13:55:36.250001 -0700] a', OBSERVED).log.time).toBe(us('2000-10-10T20:55:36.250001Z'));
    expect(parse('[Mar 12 09:15:02.000007] a', OBSERVED).log.time).toBe(us('2024-03-12T08:15:02.000007Z'));
  });

  it('reads zone names in a custom format, DST rule included', () => {
    const parse = bracketed({ timeFormat: 'yyyy-MM-dd HH:mm:ss z' });
    const at = (text: string) => parse(`[${text}] a`, OBSERVED).log;
    expect(at('2024-03-12 09:15:02 Asia/Kolkata').time).toBe(us('2024-03-12T03:45:02Z'));
    expect(at('2024-03-10 02:30:00 America/New_York').time).toBe(us('2024-03-10T07:30:00Z')); // skipped hour
    expect(at('2024-11-03 01:30:00 America/New_York').time).toBe(us('2024-11-03T05:30:00Z')); // repeated hour: the earlier
    expect(at('2024-03-12 09:15:02 Mars/Olympus_Mons')).toMatchObject({ time: OBSERVED, attributes: { 'log.time_error': expect.stringContaining('Mars/Olympus_Mons') } });
  });

  it('reads offsets and µs fractions in a custom format', () => {
    const parse = bracketed({ timeFormat: 'dd.MM.yyyy HH:mm:ss.u ZZ', zone: 'America/Chicago' });
    expect(parse('[12.03.2024 09:15:02.123456 +05:30] a', OBSERVED).log.time).toBe(us('2024-03-12T03:45:02.123456Z'));
    expect(parse('[12.03.2024 09:15:02.5 -03:00] a', OBSERVED).log.time).toBe(us('2024-03-12T12:15:02.500Z'));
  });

  it('completes a custom format without a year or date from when the line was read', () => {
    const yearless = bracketed({ timeFormat: 'MMM d HH:mm:ss', zone: 'Europe/Berlin' });
    // Read at 01:05 on 1 January 2025 in Berlin: December is last year, 00:04 is this one.
    expect(yearless('[Dec 31 23:59:00] a', OBSERVED).log.time).toBe(us('2024-12-31T22:59:00Z'));
    expect(yearless('[Jan 1 00:04:00] a', OBSERVED).log.time).toBe(us('2024-12-31T23:04:00Z'));
    expect(yearless('[Feb 29 10:00:00] a', OBSERVED).log.time).toBe(us('2024-02-29T09:00:00Z'));
    const timeOnly = bracketed({ timeFormat: "HH'h'mm'm'ss" });
    expect(timeOnly('[00h04m00] a', OBSERVED).log.time).toBe(us('2025-01-01T00:04:00Z'));
    expect(timeOnly('[23h59m00] a', OBSERVED).log.time).toBe(us('2024-12-31T23:59:00Z'));
  });

  it('accepts offsets written the ways configs write them, and refuses impossible ones', () => {
    const line = '2024-03-12 09:15:02,000 - a - INFO - x';
    expect(createLineParser({ zone: 'GMT+2' })(line, OBSERVED).log.time).toBe(us('2024-03-12T07:15:02Z'));
    expect(createLineParser({ zone: '+0530' })(line, OBSERVED).log.time).toBe(us('2024-03-12T03:45:02Z'));
    expect(() => createLineParser({ zone: 'UTC+15' })).toThrow(/"UTC\+15" is not an IANA time zone or offset/);
  });

  it.each<[ParserConfig, RegExp]>([
    [{ timeFormat: 'YYYY-MM-dd' }, /"YYYY" is not a luxon token/],
    [{ timeFormat: 'HH:mm:ss a' }, /mixes a 24-hour hour/],
    [{ timeFormat: "yyyy-MM-dd'T HH:mm" }, /unclosed quote/],
  ])('refuses a timeFormat luxon would never match: %j', (config, message) => {
    let error: unknown;
    try {
      createLineParser(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParserConfigError);
    expect(error).toMatchObject({ code: 'PARSE_BAD_TIME_FORMAT', message: expect.stringMatching(message) });
  });
});
