// What happens to decoded records between a receiver and the store: redaction of what no adapter of
// ours has seen, then one append per request.
import type { Decoded } from '../ingest/decoded.js';
import type { MinuteRollup } from '../model/metrics.js';
import type { LogRecord, Span } from '../model/records.js';
import type { TailSampler } from '../correlate/index.js';
import { createRedactor, type Redactor } from '../model/redact.js';
import type { AppendResult, Store } from '../store/types.js';

/**
 * Which records the indexer redacts (DESIGN.md invariant 4). Lines on `/ingest` come from our agent and
 * transports, which redacted them already; OTLP and Zipkin records come from SDKs that never ran our
 * redactor, so by default only those are redacted here.
 */
export type RedactMode = 'received' | 'all' | 'off';
export const REDACT_MODES: readonly RedactMode[] = ['received', 'all', 'off'];

/** Where a request's records came from. */
export type IntakeSource = 'native' | 'otlp' | 'zipkin';

export interface IntakeOptions {
  store: Store;
  /**
   * Tail-based sampling (off unless enabled): traces are held until quiet, then stored whole or dropped.
   * Metrics are derived before it, from everything received.
   */
  sampler?: TailSampler;
  /** Derives each batch's metrics (before anything could be sampled away); none when absent. */
  rollups?: (logs: readonly LogRecord[], spans: readonly Span[]) => MinuteRollup[];
  redact: RedactMode;
  /** Also redact e-mail addresses (off by default, as in the adapters). */
  redactEmails?: boolean;
}

export class Intake {
  private readonly redactor: Redactor | undefined;

  constructor(private readonly options: IntakeOptions) {
    this.redactor = options.redact === 'off' ? undefined : createRedactor({ emails: options.redactEmails ?? false });
  }

  /** Redacts as configured and appends; resolves once the store has committed. */
  async accept(decoded: Decoded, source: IntakeSource, batchId?: string): Promise<AppendResult> {
    const redactor = this.redactor;
    if (redactor !== undefined && (this.options.redact === 'all' || source !== 'native')) {
      for (const log of decoded.logs) redactLog(redactor, log);
      for (const span of decoded.spans) redactSpan(redactor, span);
    }
    const rollups = this.options.rollups?.(decoded.logs, decoded.spans);
    const kept = this.options.sampler?.offer(decoded) ?? decoded;
    return this.options.store.append({
      ...(batchId !== undefined ? { batchId } : {}),
      logs: kept.logs,
      spans: kept.spans,
      aliases: decoded.aliases,
      ...(rollups !== undefined && rollups.length > 0 ? { rollups } : {}),
    });
  }

  /**
   * Stores the held traces the sampler has decided to keep (all of them, decided now, with `flush`).
   * Runs on a timer while sampling is on, and at shutdown.
   */
  async release(flush = false): Promise<void> {
    const sampler = this.options.sampler;
    if (sampler === undefined) return;
    const kept = flush ? sampler.flush() : sampler.poll();
    if (kept.logs.length > 0 || kept.spans.length > 0) await this.options.store.append({ logs: kept.logs, spans: kept.spans, aliases: [] });
  }
}

// Decoded records are fresh objects of ours, so they are redacted in place.
function redactLog(redactor: Redactor, log: LogRecord): void {
  log.body = redactor.redactString(log.body);
  if (log.attributes !== undefined) log.attributes = redactor.redactValue(log.attributes);
}

function redactSpan(redactor: Redactor, span: Span): void {
  span.name = redactor.redactString(span.name);
  if (span.attributes !== undefined) span.attributes = redactor.redactValue(span.attributes);
}
