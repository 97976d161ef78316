// How the query commands talk to an indexer: GET its JSON API over HTTP, with the query token, and turn
// its answers into errors a terminal user can act on.
import { LogstitchError } from '../model/errors.js';
import { DEFAULT_PORT } from '../server/config.js';
import { UsageError } from './usage.js';

export const DEFAULT_INDEXER = `http://127.0.0.1:${DEFAULT_PORT}`;

/** The indexer answered with an error, or could not be reached. */
export class IndexerError extends LogstitchError {
  constructor(code: string, message: string, readonly status?: number) {
    super(code, message);
  }
}

export interface ClientOptions {
  indexer?: string;
  token?: string;
}

export class IndexerClient {
  readonly base: URL;
  private readonly token: string | undefined;

  constructor(options: ClientOptions, env: NodeJS.ProcessEnv = process.env) {
    const text = options.indexer ?? env.LOGSTITCH_INDEXER ?? DEFAULT_INDEXER;
    let base: URL;
    try {
      base = new URL(text);
    } catch {
      throw new UsageError(`--indexer must be a URL such as ${DEFAULT_INDEXER}, not ${JSON.stringify(text)}`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UsageError(`--indexer must be an http or https URL, not ${JSON.stringify(text)}`);
    this.base = base;
    this.token = options.token ?? env.LOGSTITCH_QUERY_TOKEN;
  }

  /**
   * GETs a path of the API and returns its JSON. A 400 (a query the parser rejects, a bad time) is the
   * user's mistake: UsageError with the indexer's message. Anything else that is not 2xx: IndexerError.
   */
  async get<T>(path: string, params: Record<string, string | string[] | undefined> = {}): Promise<T> {
    const url = new URL(path, this.base);
    for (const [key, value] of Object.entries(params)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) url.searchParams.append(key, v);
    }
    let res: Response;
    try {
      res = await fetch(url, { headers: this.token !== undefined ? { authorization: `Bearer ${this.token}` } : {}, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new IndexerError('INDEXER_UNREACHABLE', `cannot reach the indexer at ${this.base.origin} (${cause}): is 'logstitch serve' running? Use --indexer URL to point elsewhere`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new IndexerError('INDEXER_BAD_REPLY', `the indexer at ${this.base.origin} answered ${res.status} with something that is not JSON: is that a logstitch indexer?`, res.status);
    }
    if (res.ok) return body as T;
    const message = (body as { error?: string } | undefined)?.error ?? `HTTP ${res.status}`;
    if (res.status === 400) throw new UsageError(message);
    if (res.status === 401) throw new IndexerError('UNAUTHORIZED', `${message}: set LOGSTITCH_QUERY_TOKEN or pass --token`, 401);
    throw new IndexerError(res.status === 404 ? 'NOT_FOUND' : 'INDEXER_ERROR', message, res.status);
  }
}

const RELATIVE: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A time on the command line → what the API takes (ISO 8601 or epoch ms): ISO and epoch ms pass through;
 * `15m`, `2h`, `7d` mean that long before now.
 */
export function timeArg(text: string | undefined, option: string, now = Date.now()): string | undefined {
  if (text === undefined) return undefined;
  const relative = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (relative !== null) return String(Math.round(now - Number(relative[1]) * RELATIVE[relative[2]!]!));
  if (/^\d{1,15}$/.test(text) || !Number.isNaN(Date.parse(text))) return text;
  throw new UsageError(`${option} must be ISO 8601 (2026-11-24T09:00:00Z), epoch milliseconds, or a time ago such as 15m, 2h, 7d — not ${JSON.stringify(text)}`);
}
