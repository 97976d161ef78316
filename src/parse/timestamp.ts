// Reads the timestamps log lines carry (ISO 8601, RFC 2822, HTTP, CLF, syslog, epoch, time of day, custom) as µs.
import { DateTime, Info, type DateTimeOptions, type Zone } from 'luxon';
import { CustomTimeFormat, LOCALE } from './time-format.js';
import { isUtc, toMicros, zoneFromConfig } from './zone.js';

const SYSLOG_RE = /^([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const TIME_OF_DAY_RE = /^(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?$/;
const EPOCH_RE = /^(\d{9,19})(?:\.(\d{1,9}))?$/;
// Fraction digits past the ms, after the seconds (`:02.123456`): luxon keeps ms, logs often write µs.
const SUB_MS_RE = /:\d\d[.,]\d{3}(\d{1,3})/;

// Common Log Format, as nginx's `$time_local` and Apache's `%t` write it: `10/Oct/2000:13:55:36 -0700`.
const CLF = DateTime.buildFormatParser('dd/MMM/yyyy:HH:mm:ss ZZZ', { locale: LOCALE });
const CLF_FRACTION = DateTime.buildFormatParser('dd/MMM/yyyy:HH:mm:ss.u ZZZ', { locale: LOCALE });
const MONTHS = new Map(Info.months('short', { locale: LOCALE }).map((name, i) => [name.toLowerCase(), i + 1]));

const MINUTE_US = 60_000_000;
const HOUR_US = 60 * MINUTE_US;
const DAY_US = 24 * HOUR_US;
/** How far in the future a year-less (or date-less) timestamp may be, for clocks that disagree a little. */
const YEAR_SLACK_US = DAY_US;
const DAY_SLACK_US = HOUR_US;

/** µs since the epoch from an epoch number in s, ms, µs or ns (by digit count), exact to the µs. */
export function microsFromEpochText(text: string): number | undefined {
  const m = EPOCH_RE.exec(text);
  if (m === null) return undefined;
  const whole = m[1]!;
  const fraction = m[2] ?? '';
  if (whole.length <= 11) return Number(whole) * 1e6 + Number(fraction.padEnd(6, '0').slice(0, 6)); // seconds
  if (whole.length <= 14) return Number(whole) * 1e3 + Number(fraction.padEnd(3, '0').slice(0, 3)); // ms
  if (whole.length <= 17) return Number(whole); // µs
  return Number(whole.slice(0, whole.length - 3)); // ns: drop the digits below a µs before they lose precision
}

/** µs past the ms that the text's fraction of a second carries (0 when it has three digits or fewer). */
function subMillisecond(text: string): number {
  const m = SUB_MS_RE.exec(text);
  return m === null ? 0 : Number(m[1]!.padEnd(3, '0'));
}

/** A date and time of day as a line writes it, with no zone; `micros` is the µs past `millisecond`. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond?: number;
  micros?: number;
}

/** Reads timestamps in one configured zone (for those that carry none) and, optionally, one custom format. */
export class TimeReader {
  /** The zone of times that carry none. */
  readonly zone: Zone;
  /** Whether that zone is UTC, so a time the model read as UTC stands. */
  readonly isUtc: boolean;
  readonly custom: CustomTimeFormat | undefined;
  /** luxon's options for every reading: the configured zone, kept (not converted), English names. */
  private readonly options: DateTimeOptions;
  // The day (and year) at the time a line was read, remembered per minute: lines are read in runs, and
  // a day can start at any whole minute in some zone.
  private dayMinute = Number.NaN;
  private day: DateTime | undefined;
  private yearMinute = Number.NaN;
  private years: [number, number] = [0, 0];

  constructor(zone = 'UTC', timeFormat?: string) {
    this.zone = zoneFromConfig(zone);
    this.isUtc = isUtc(this.zone);
    this.options = { zone: this.zone, setZone: true, locale: LOCALE };
    if (timeFormat !== undefined) this.custom = new CustomTimeFormat(timeFormat);
  }

  /** µs since the epoch of any timestamp this reader knows, or undefined. */
  read(text: string, observed: number): number | undefined {
    if (this.custom !== undefined) {
      const t = this.customTime(text, observed);
      if (t !== undefined) return t;
    }
    return this.builtIn(text, observed);
  }

  /** µs since the epoch of a timestamp in a format every reader knows (not the custom one), or undefined. */
  builtIn(text: string, observed: number): number | undefined {
    // The first characters say which reader can apply, so a line pays for one luxon parse, not six.
    const first = text.charCodeAt(0);
    if (first >= 0x30 && first <= 0x39) {
      if (text.charCodeAt(4) === 0x2d) return this.iso(text); // 2024-…
      if (text.charCodeAt(2) === 0x2f) return this.clf(text); // 10/Oct/2000:…
      if (text.charCodeAt(2) === 0x3a) return this.timeOfDay(text, observed); // 14:15:02
      return microsFromEpochText(text) ?? this.rfc2822(text); // 1710249302, or `12 Mar 2024 09:15:02 GMT`
    }
    return this.syslog(text, observed) ?? this.rfc2822(text) ?? this.http(text);
  }

  /** ISO 8601 / RFC 3339, and the space-separated form Java and Python write (`2024-03-10 02:30:00,123`). */
  iso(text: string): number | undefined {
    // luxon's ISO reader wants the 'T'; its SQL reader takes a space, with ` +0100` or ` UTC` after.
    const spaced = text.charCodeAt(10) === 0x20;
    let dt = spaced ? DateTime.fromSQL(text, this.options) : DateTime.fromISO(text, this.options);
    if (!dt.isValid && !spaced && text.length > 19) dt = DateTime.fromSQL(`${text.slice(0, 10)} ${text.slice(11)}`, this.options);
    return toMicros(dt, subMillisecond(text));
  }

  /** Common Log Format: `10/Oct/2000:13:55:36 -0700`, also with a fraction (`:36.123456 -0700`). */
  clf(text: string): number | undefined {
    const parser = text.charCodeAt(20) === 0x2e ? CLF_FRACTION : CLF;
    return toMicros(DateTime.fromFormatParser(text, parser, this.options), subMillisecond(text));
  }

  /** RFC 2822 (mail, RFC 1123 HTTP dates): `Sun, 10 Mar 2024 02:30:00 -0500`; the text must carry its zone. */
  rfc2822(text: string): number | undefined {
    return toMicros(DateTime.fromRFC2822(text, this.options));
  }

  /** The two older HTTP date forms: RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`). */
  http(text: string): number | undefined {
    return toMicros(DateTime.fromHTTP(text, this.options));
  }

  /** A BSD syslog time, `Mar 10 02:30:00`, whose year is the one that puts it nearest before `observed`. */
  syslog(text: string, observed: number): number | undefined {
    const m = SYSLOG_RE.exec(text);
    if (m === null) return undefined;
    const month = MONTHS.get(m[1]!.toLowerCase());
    if (month === undefined) return undefined;
    const fraction = (m[6] ?? '').padEnd(6, '0');
    const wall = { year: 0, month, day: +m[2]!, hour: +m[3]!, minute: +m[4]!, second: +m[5]!, millisecond: +fraction.slice(0, 3), micros: +fraction.slice(3) };
    return this.nearestYear(observed, (year) => {
      wall.year = year;
      return this.wallClock(wall);
    });
  }

  /** A time of day with no date (`14:15:02.123`, logback's default): the day that puts it nearest before `observed`. */
  timeOfDay(text: string, observed: number): number | undefined {
    const m = TIME_OF_DAY_RE.exec(text);
    if (m === null) return undefined;
    const fraction = (m[4] ?? '').padEnd(6, '0');
    const time = { hour: +m[1]!, minute: +m[2]!, second: +m[3]!, millisecond: +fraction.slice(0, 3), micros: +fraction.slice(3) };
    return this.nearestDay(observed, (day) => this.wallClock({ year: day.year, month: day.month, day: day.day, ...time }));
  }

  /** µs since the epoch of a wall clock in the configured zone; undefined when it names no real time (31 April). */
  wallClock(w: WallClock): number | undefined {
    // DateTime.local with every unit given is luxon's quick path (fromObject normalises names first).
    const dt = DateTime.local(w.year, w.month, w.day, w.hour, w.minute, w.second, w.millisecond ?? 0, this.options);
    return toMicros(dt, w.micros);
  }

  /** A time in the configured timeFormat; missing date parts come from the time the line was read. */
  customTime(text: string, observed: number): number | undefined {
    const format = this.custom!;
    const sub = format.fraction ? subMillisecond(text) : 0;
    switch (format.missing) {
      case 'nothing':
        return toMicros(format.parse(text, this.options), sub);
      case 'year':
        return this.nearestYear(observed, (year) => toMicros(format.parseDated(String(year), text, this.options), sub));
      case 'date':
        return this.nearestDay(observed, (day) => toMicros(format.parseDated(`${day.year}-${day.month}-${day.day}`, text, this.options), sub));
      case 'part': {
        const day = this.todayAt(observed);
        return toMicros(format.parseDated(`${day.year}-${day.month}-${day.day}`, text, this.options), sub);
      }
    }
  }

  /**
   * The reading, in the latest year from next year back five (which reaches the last 29 February), that is
   * no later than a day after `observed`: a December line read in January belongs to last year.
   */
  private nearestYear(observed: number, readIn: (year: number) => number | undefined): number | undefined {
    const [year, latest] = this.yearsAt(observed);
    for (let y = latest; y >= year - 4; y--) {
      const t = readIn(y);
      if (t !== undefined && t <= observed + YEAR_SLACK_US) return t;
    }
    return undefined;
  }

  /** The year in the zone at `observed`, and a day later (next year only on the last day of one). */
  private yearsAt(observed: number): [number, number] {
    const minute = Math.floor(observed / MINUTE_US);
    if (minute !== this.yearMinute) {
      this.yearMinute = minute;
      this.years = [this.dayOf(observed).year, this.dayOf(observed + YEAR_SLACK_US).year];
    }
    return this.years;
  }

  /** The reading on the day of `observed`, or the day before when that puts it over an hour after `observed`. */
  private nearestDay(observed: number, readOn: (day: DateTime) => number | undefined): number | undefined {
    const today = this.todayAt(observed);
    const t = readOn(today);
    if (t === undefined || t <= observed + DAY_SLACK_US) return t;
    return readOn(today.minus({ days: 1 }));
  }

  private todayAt(observed: number): DateTime {
    const minute = Math.floor(observed / MINUTE_US);
    if (minute !== this.dayMinute || this.day === undefined) {
      this.dayMinute = minute;
      this.day = this.dayOf(observed);
    }
    return this.day;
  }

  private dayOf(micros: number): DateTime {
    return DateTime.fromMillis(Math.floor(micros / 1000), this.options);
  }
}
