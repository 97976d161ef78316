// Reads request bodies within limits: size as sent, size after gzip, and the content types a route takes.
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { HttpError } from './errors.js';

export interface BodyLimits {
  maxBodyBytes: number;
  maxDecompressedBytes: number;
}

function gunzipBounded(data: Buffer, maxOutputLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(data, { maxOutputLength }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** The media type of the request, lowercase, without parameters. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function requireMediaType(req: IncomingMessage, accepted: readonly string[]): string {
  const type = mediaType(req);
  if (!accepted.includes(type)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `content-type ${type === '' ? '(none)' : JSON.stringify(type)} is not accepted here; send ${accepted.join(' or ')}`);
  }
  return type;
}

/**
 * The whole body, decompressed when `content-encoding: gzip`. Over the size limit → 413 (and the
 * rest of the upload is not read); a broken gzip stream → 400; a gzip that inflates past the
 * decompressed limit (a bomb) → 413; another encoding → 415.
 */
export async function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
    throw new HttpError(413, 'BODY_TOO_LARGE', `body of ${declared} bytes is over the limit of ${limits.maxBodyBytes} bytes; send smaller batches`);
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== '') {
    throw new HttpError(415, 'UNSUPPORTED_ENCODING', `content-encoding ${JSON.stringify(encoding)} is not supported; send gzip or no encoding`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limits.maxBodyBytes) {
      throw new HttpError(413, 'BODY_TOO_LARGE', `body is over the limit of ${limits.maxBodyBytes} bytes; send smaller batches`);
    }
    chunks.push(chunk as Buffer);
  }
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  if (encoding !== 'gzip') return raw;
  try {
    return await gunzipBounded(raw, limits.maxDecompressedBytes);
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HttpError(413, 'DECOMPRESSED_TOO_LARGE', `gzip body inflates past the limit of ${limits.maxDecompressedBytes} bytes`);
    }
    throw new HttpError(400, 'BAD_GZIP', `body is not valid gzip: ${(error as Error).message}`);
  }
}

/**
 * The body, once it is known to be UTF-8; else 400 naming the first invalid byte. Checking the bytes
 * (simdutf, in C) and decoding each line later is several times cheaper than decoding the whole body into
 * one large string and slicing it.
 */
export function requireUtf8(body: Buffer): Buffer {
  if (isUtf8(body)) return body;
  const at = firstInvalidUtf8(body);
  throw new HttpError(400, 'BAD_UTF8', `body is not valid UTF-8 (first bad byte at offset ${at}); send UTF-8 text`);
}

function firstInvalidUtf8(body: Buffer): number {
  // Halve the search: the prefix before the first bad byte decodes, the one after it does not.
  let lo = 0;
  let hi = body.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    try {
      // Streaming mode: a prefix that ends inside a valid multi-byte character is not an error.
      new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, mid + 1), { stream: true });
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}
