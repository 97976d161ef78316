// The configured zone as a luxon Zone, and the one rule for wall-clock times that DST skips or repeats.
import { DateTime, FixedOffsetZone, Info, Zone, type ZoneOffsetFormat, type ZoneOffsetOptions } from 'luxon';
import { ParserConfigError } from './errors.js';

// luxon reads `UTC+5:30` but not the bare `+05:30` or `GMT-3` people write in configs.
const FIXED_OFFSET_RE = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;
const MINUTE_MS = 60_000;
const CACHE_LIMIT = 4096;

/**
 * An IANA zone that remembers its offset per minute. luxon asks Intl for an IANA offset on every call
 * (several µs each), and reading one zone-less time asks up to seven times; log times come in runs, so
 * nearly every question repeats one already answered. A minute is safe: every offset change since 1972
 * falls on a whole minute.
 */
class RememberingZone extends Zone {
  private readonly offsets = new Map<number, number>();

  constructor(private readonly zone: Zone) {
    super();
  }

  override get type(): string {
    return this.zone.type;
  }

  override get name(): string {
    return this.zone.name;
  }

  override get isUniversal(): boolean {
    return false;
  }

  override get isValid(): true {
    return true;
  }

  override offsetName(ts: number, options: ZoneOffsetOptions): string {
    return this.zone.offsetName(ts, options) ?? '';
  }

  override formatOffset(ts: number, format: ZoneOffsetFormat): string {
    return this.zone.formatOffset(ts, format);
  }

  override offset(ts: number): number {
    const minute = Math.floor(ts / MINUTE_MS);
    let offset = this.offsets.get(minute);
    if (offset === undefined) {
      offset = this.zone.offset(ts);
      if (this.offsets.size >= CACHE_LIMIT) this.offsets.clear();
      this.offsets.set(minute, offset);
    }
    return offset;
  }

  override equals(other: Zone): boolean {
    return other === this || this.zone.equals(other);
  }
}

/** The zone a config names: an IANA name, 'UTC', 'local' (the machine's zone) or a fixed offset (`+05:30`, `UTC-3`). */
export function zoneFromConfig(name: string): Zone {
  const fixed = FIXED_OFFSET_RE.exec(name);
  if (fixed !== null) {
    const hours = Number(fixed[2]);
    const minutes = Number(fixed[3] ?? 0);
    if (hours > 14 || minutes > 59) throw badZone(name);
    const offset = hours * 60 + minutes;
    return FixedOffsetZone.instance(fixed[1] === '-' ? -offset : offset);
  }
  const zone = Info.normalizeZone(name === 'Z' ? 'UTC' : name);
  if (!zone.isValid) throw badZone(name);
  return zone.type === 'iana' ? new RememberingZone(zone) : zone;
}

function badZone(name: string): ParserConfigError {
  return new ParserConfigError('PARSE_BAD_ZONE', `zone "${name}" is not an IANA time zone or offset; use a name such as "Europe/Berlin", "UTC", "+05:30" or "local"`);
}

/** Whether a zone is UTC itself, so a time read as UTC needs no second look. */
export function isUtc(zone: Zone): boolean {
  return zone.isUniversal && zone.offset(0) === 0;
}

/**
 * µs since the epoch of a luxon reading, `subMillisecond` µs added (luxon keeps ms). DST rule (the one
 * java.time follows): a wall time in the hour a spring-forward skips is read with the offset in force
 * before the change (02:30 on 10 March 2024 in America/New_York is 07:30Z), which luxon does already;
 * a wall time in the hour a fall-back repeats is the earlier of its two instants (01:30 on 3 November
 * 2024 in New York is 05:30Z, the EDT one). luxon settles the repeated hour by the zone's offset when
 * the process first read a time, so its answer would change with the season the agent started in:
 * here the earlier instant is chosen explicitly.
 */
export function toMicros(dt: DateTime, subMillisecond = 0): number | undefined {
  if (!dt.isValid) return undefined;
  let ms = dt.toMillis();
  if (!dt.isOffsetFixed) for (const possible of dt.getPossibleOffsets()) ms = Math.min(ms, possible.toMillis());
  return ms * 1000 + subMillisecond;
}
