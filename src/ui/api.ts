// Talking to the indexer's query API: JSON in, typed errors out, and the query token when one is needed.
import { askForToken } from './token.js';

const TOKEN_KEY = 'logstitch.queryToken';

/** An answer other than 2xx: the status, the API's stable code and its message, ready to show. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled: the user is asked each time
  }
}

function storeToken(token: string): void {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // nothing to do: the token still works for this request
  }
}

let pendingToken: Promise<string | undefined> | undefined;

/** One prompt for all the requests that hit 401 together. */
function tokenFromUser(rejected: boolean): Promise<string | undefined> {
  pendingToken ??= askForToken(rejected).finally(() => {
    pendingToken = undefined;
  });
  return pendingToken;
}

async function readError(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = `the indexer answered ${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as { error?: unknown; code?: unknown };
    if (typeof body.error === 'string') message = body.error;
    if (typeof body.code === 'string') code = body.code;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message);
}

/** GET a query-API path (`/api/search?q=…`) and parse its JSON; 4xx/5xx become an ApiError with the API's message. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let rejected = false;
  for (;;) {
    const token = storedToken();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(path, { headers, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(0, 'NETWORK', 'the indexer could not be reached; is `logstitch serve` running?');
    }
    if (res.ok) return (await res.json()) as T;
    if (res.status !== 401) throw await readError(res);
    const fresh = await tokenFromUser(rejected || token !== undefined);
    if (fresh === undefined) throw await readError(res);
    storeToken(fresh);
    rejected = true;
  }
}

/** True when `path` answers 404: the route is not in this indexer yet (or the thing asked for is unknown). */
export function isNotFound(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 404;
}
