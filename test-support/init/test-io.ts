// A CliIo that records output, for CLI tests. Only parsing-level paths use
// it: anything reaching the system runs in the netns tests instead.
import { systemDeps } from '../../init/system/deps.ts';
import type { CliIo } from '../../init/cli/io.ts';

export interface RecordingIo extends CliIo {
  out: string;
  err: string;
}

export function recordingIo(overrides: Partial<CliIo> = {}): RecordingIo {
  const io: RecordingIo = {
    out: '',
    err: '',
    stdout: (text) => void (io.out += text),
    stderr: (text) => void (io.err += text),
    env: {},
    readFile: () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    },
    readStdin: () => '',
    euid: 0,
    platform: 'linux',
    system: systemDeps(),
    ...overrides,
  };
  return io;
}
