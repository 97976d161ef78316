// Severity as OpenTelemetry SeverityNumber (1-24), mapped from the level names and numbers loggers use.

export const Severity = {
  UNSPECIFIED: 0,
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  WARN: 13,
  ERROR: 17,
  FATAL: 21,
} as const;

export type SeverityNumber = number;

const BY_NAME: Record<string, SeverityNumber> = {
  trace: Severity.TRACE,
  finest: Severity.TRACE,
  finer: Severity.TRACE,
  silly: Severity.TRACE,
  verbose: Severity.DEBUG + 1,
  debug: Severity.DEBUG,
  fine: Severity.DEBUG,
  config: Severity.DEBUG + 2,
  http: Severity.INFO - 1,
  info: Severity.INFO,
  information: Severity.INFO,
  informational: Severity.INFO,
  notice: Severity.INFO + 1,
  warn: Severity.WARN,
  warning: Severity.WARN,
  error: Severity.ERROR,
  err: Severity.ERROR,
  severe: Severity.ERROR,
  crit: Severity.FATAL - 1,
  critical: Severity.FATAL - 1,
  alert: Severity.FATAL,
  fatal: Severity.FATAL,
  emerg: Severity.FATAL + 1,
  emergency: Severity.FATAL + 1,
  panic: Severity.FATAL + 1,
};

/** Severity from a level name (`info`, `WARNING`, `E`), or UNSPECIFIED when the name is unknown. */
export function severityFromText(text: string): SeverityNumber {
  const name = text.trim().toLowerCase();
  const known = BY_NAME[name];
  if (known !== undefined) return known;
  switch (name) {
    case 't':
      return Severity.TRACE;
    case 'd':
      return Severity.DEBUG;
    case 'i':
      return Severity.INFO;
    case 'w':
      return Severity.WARN;
    case 'e':
      return Severity.ERROR;
    case 'f':
    case 'c':
      return Severity.FATAL;
    default:
      return Severity.UNSPECIFIED;
  }
}

/** Severity from pino's numeric levels (10 trace … 60 fatal), interpolating custom levels between them. */
export function severityFromPinoLevel(level: number): SeverityNumber {
  if (level <= 10) return Severity.TRACE;
  if (level <= 20) return Severity.DEBUG;
  if (level <= 30) return Severity.INFO;
  if (level <= 40) return Severity.WARN;
  if (level <= 50) return Severity.ERROR;
  return Severity.FATAL;
}

/** Severity from a syslog priority's severity part (0 emergency … 7 debug). */
export function severityFromSyslog(code: number): SeverityNumber {
  const table = [22, 21, 20, 17, 13, 10, 9, 5];
  return table[code] ?? Severity.UNSPECIFIED;
}

export function severityName(n: SeverityNumber): string {
  if (n <= 0) return 'unspecified';
  if (n < Severity.DEBUG) return 'trace';
  if (n < Severity.INFO) return 'debug';
  if (n < Severity.WARN) return 'info';
  if (n < Severity.ERROR) return 'warn';
  if (n < Severity.FATAL) return 'error';
  return 'fatal';
}

export function isErrorSeverity(n: SeverityNumber): boolean {
  return n >= Severity.ERROR;
}
