// Which file is which: device and inode, plus a hash of the file's first bytes, so that a renamed file is
// still the same file, a new file at an old path is a new file, and a reused inode is not mistaken for
// the file that had it before.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export interface FileIdentity {
  dev: string;
  ino: string;
  /** Hash of the first `headLength` bytes. */
  headHash: string;
  /** How many bytes the hash covers: the fingerprint size, or less while the file is shorter than that. */
  headLength: number;
}

export interface FileStat {
  dev: string;
  ino: string;
  size: number;
  /** Hard links left: 0 once the file was deleted (an open handle still reads it). */
  nlink: number;
}

export async function statHandle(fh: FileHandle): Promise<FileStat> {
  const s = await fh.stat({ bigint: true });
  return { dev: s.dev.toString(), ino: s.ino.toString(), size: Number(s.size), nlink: Number(s.nlink) };
}

export async function readHead(fh: FileHandle, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await fh.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

export function hashHead(head: Buffer): string {
  return createHash('sha256').update(head).digest('hex').slice(0, 32);
}

/** The identity of an open file, hashing up to `fingerprintBytes` of its start. */
export async function identify(fh: FileHandle, stat: FileStat, fingerprintBytes: number): Promise<FileIdentity> {
  const head = await readHead(fh, Math.min(stat.size, fingerprintBytes));
  return { dev: stat.dev, ino: stat.ino, headHash: hashHead(head), headLength: head.length };
}

/**
 * True when the open file is the one `known` describes: same device and inode, and its first
 * `known.headLength` bytes unchanged (a truncated and rewritten file, or a reused inode, fails this).
 */
export async function isSameFile(fh: FileHandle, stat: FileStat, known: FileIdentity): Promise<boolean> {
  if (stat.dev !== known.dev || stat.ino !== known.ino) return false;
  if (stat.size < known.headLength) return false;
  const head = await readHead(fh, known.headLength);
  return head.length === known.headLength && hashHead(head) === known.headHash;
}
