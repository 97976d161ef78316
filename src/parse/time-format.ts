// A configured timeFormat (luxon tokens, `dd.MM.yyyy HH:mm:ss,SSS`), checked and compiled once by luxon.
import { DateTime, type DateTimeOptions, type TokenParser } from 'luxon';
import { ParserConfigError } from './errors.js';

/** Month and weekday names in log lines are English whatever the machine's locale. */
export const LOCALE = 'en-US';

// The tokens luxon can parse that log times use (its week-year, quarter and era tokens are left out).
// luxon takes any other run of letters as literal text, so a typo (`QQ`, `YYYY`) would never match a
// line; it is refused when the parser is built instead.
const PARSE_TOKENS = new Set([
  'y', 'yy', 'yyyy', 'yyyyy', 'yyyyyy', 'M', 'MM', 'MMM', 'MMMM', 'L', 'LL', 'LLL', 'LLLL', 'd', 'dd', 'o', 'ooo',
  'H', 'HH', 'h', 'hh', 'm', 'mm', 's', 'ss', 'S', 'SSS', 'u', 'uu', 'uuu', 'a',
  'E', 'EEE', 'EEEE', 'c', 'ccc', 'cccc', 'Z', 'ZZ', 'ZZZ', 'z',
]);

/** What a format leaves out of the date, to be filled in from the time the line was read. */
export type MissingDate = 'nothing' | 'year' | 'date' | 'part';

/**
 * A custom timestamp format. luxon compiles it to a regex once here; missing date parts are read by
 * putting a date in front of the text, under a second format that starts with one (`y-M-d` + format),
 * so the line's own date tokens, which come later, win.
 */
export class CustomTimeFormat {
  readonly format: string;
  readonly missing: MissingDate;
  /** How many space-separated words a time in this format spans, to find one at the start of a line. */
  readonly words: number;
  /** Whether the format has luxon's `u` (any number of fraction digits), which can carry µs. */
  readonly fraction: boolean;
  private readonly parser: TokenParser;
  private readonly dated: TokenParser | undefined;

  constructor(format: string) {
    this.format = format;
    const tokens = checkedTokens(format);
    const has = (letters: string) => tokens.some((t) => letters.includes(t[0]!));
    const year = has('y');
    const monthDay = has('ML') && has('d');
    this.missing = year && (monthDay || has('o')) ? 'nothing' : !year && monthDay ? 'year' : has('yMLd') ? 'part' : 'date';
    this.fraction = tokens.includes('u');
    this.words = wordsOf(format);
    this.parser = DateTime.buildFormatParser(format, { locale: LOCALE });
    if (this.missing !== 'nothing') this.dated = DateTime.buildFormatParser(`${this.missing === 'year' ? 'y' : 'y-M-d'} ${format}`, { locale: LOCALE });
  }

  /** The text read in the format as written; invalid when it does not match. */
  parse(text: string, options: DateTimeOptions): DateTime {
    return DateTime.fromFormatParser(text, this.parser, options);
  }

  /** The text read with a date in front (`2025` or `2025-1-31`, as `missing` asks). */
  parseDated(date: string, text: string, options: DateTimeOptions): DateTime {
    return DateTime.fromFormatParser(`${date} ${text}`, this.dated!, options);
  }
}

/** The format's tokens (after luxon expands macro tokens such as `D`), or a ParserConfigError. */
function checkedTokens(format: string): string[] {
  const fail = (why: string) => new ParserConfigError('PARSE_BAD_TIME_FORMAT', `timeFormat "${format}": ${why}`);
  if ((format.match(/'/g)?.length ?? 0) % 2 === 1) throw fail("has an unclosed quote; close the literal text with '");
  const explained = DateTime.fromFormatExplain('', format, { locale: LOCALE });
  if (explained.invalidReason) throw fail(`luxon cannot read it (${explained.invalidReason})`);
  // luxon marks only quoted text literal; punctuation between tokens matches itself.
  const tokens = explained.tokens.filter((t) => !t.literal && /^[A-Za-z]/.test(t.val)).map((t) => t.val);
  const unknown = tokens.find((t) => !PARSE_TOKENS.has(t));
  if (unknown !== undefined) {
    throw fail(`"${unknown}" is not a luxon token that can be parsed (yyyy yy MM MMM MMMM dd d HH H hh h a mm ss SSS S u ZZ ZZZ z EEE…); quote literal letters with '…'`);
  }
  if (tokens.includes('a') && tokens.some((t) => t[0] === 'H')) throw fail('mixes a 24-hour hour (H) with AM/PM (a); use h with a, or H alone');
  if (tokens.some((t) => t[0] === 'o') && !tokens.some((t) => t[0] === 'y')) throw fail('has a day of the year (o) but no year (yyyy)');
  if (!tokens.some((t) => 'HhmsSuyMLdo'.includes(t[0]!))) throw fail('has neither a date nor a time in it');
  return tokens;
}

/** Words in a rendered example: the format's own spaces (literal or from a macro token), never a token's. */
function wordsOf(format: string): number {
  const example = DateTime.fromObject({ year: 2024, month: 9, day: 25, hour: 13, minute: 5, second: 7 }, { zone: 'UTC' });
  return example.toFormat(format, { locale: LOCALE }).trim().split(/\s+/).length;
}
