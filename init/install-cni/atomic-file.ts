// Every file the agent writes appears whole or not at all: the content goes to
// a temporary file in the same directory (a name no container runtime loads),
// is flushed, then renamed over the target. A reader (the runtime, kubelet)
// sees the old file or the new one, never a half-written one.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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

/** The file's text, or undefined when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
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
