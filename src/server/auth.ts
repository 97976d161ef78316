// Bearer tokens for ingest and query, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** A check that passes when no token is configured, or when the request presents it. */
export function bearerCheck(token: string | undefined, scope: 'ingest' | 'query'): (req: IncomingMessage) => void {
  if (token === undefined) return () => {};
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    // Hashing first makes both sides the same length, so the comparison leaks nothing about the token.
    if (m === null || !timingSafeEqual(digest(m[1]!), expected)) {
      throw new HttpError(401, 'UNAUTHORIZED', `${scope} needs a valid token: send "authorization: Bearer <token>" (the indexer's ${scope} token)`);
    }
  };
}
