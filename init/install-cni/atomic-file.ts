// Every file the agent writes appears whole or not at all: the content goes to
// a temporary file in the same directory (a name no container runtime loads),
// is flushed, then renamed over the target. A reader (the runtime, kubelet)
// sees the old file or the new one, never a half-written one.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MAX_CONFIG_BYTES } from './go-json.ts';

/** Creates `path` atomically with `mode`: `fill` writes the content into the open temporary file. */
async function replaceAtomically(path: string, mode: number, fill: (temporary: string, file: FileHandle) => Promise<void>): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await fill(temporary, file);
    await file.chmod(mode); // the umask may have narrowed the mode given to open
    await file.sync();
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes `data` to `path` atomically with `mode`. */
export async function writeFileAtomic(path: string, data: string | Buffer, mode: number): Promise<void> {
  await replaceAtomically(path, mode, (_, file) => file.writeFile(data));
}

/** Copies `source` to `target` atomically with `mode`, without holding the file in memory (the plugin is a large executable). */
export async function copyFileAtomic(source: string, target: string, mode: number): Promise<void> {
  await replaceAtomically(target, mode, (temporary) => copyFile(source, temporary));
}

/**
 * The file's text, or undefined when it does not exist. At most `maxBytes` + 1
 * bytes are read: a longer file comes back cut, one byte over the limit, so
 * that callers can refuse it without holding all of it.
 */
export async function readTextIfExists(path: string, maxBytes = MAX_CONFIG_BYTES): Promise<string | undefined> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await file.close();
  }
}

/** The file's permission bits, or `fallback` when it does not exist. */
export async function modeOr(path: string, fallback: number): Promise<number> {
  try {
    return (await stat(path)).mode & 0o7777;
  } catch {
    return fallback;
  }
}
