// `kuma-init install transparent-proxy-validator` (Kuma 2.13 flags:
// --ip-family-mode, --validation-server-port, --transparent-proxy-config, plus
// kumactl's globals such as the injector's --config-file=/tmp/.kumactl).
// Values are checked by init/validator with Kuma's messages.
import { type FlagDef, kumactlGlobalFlags, parseFlags, parseGoBool } from '../config/index.ts';
import { consoleValidatorLog, resolveValidatorOptions, runValidator, type ValidatorFlags } from '../validator/index.ts';
import { EXIT_OK } from './exit-codes.ts';
import { commandHelp, withUsageHint } from './help.ts';
import type { CliIo } from './io.ts';

interface ValidatorState {
  flags: { ipFamilyMode?: string; validationServerPort?: string; transparentProxyConfig: string[] };
  help: boolean;
}

export const validatorFlags: readonly FlagDef<ValidatorState>[] = [
  {
    name: 'ip-family-mode',
    typeName: 'string',
    boolean: false,
    usage: "specify the IP family mode for traffic redirection when setting up the transparent proxy; accepted values: 'dualstack' or 'ipv4'",
    defaultText: 'dualstack',
    set: (s, v) => (s.flags.ipFamilyMode = v),
  },
  {
    name: 'validation-server-port',
    typeName: 'uint16',
    boolean: false,
    usage: 'port number for the validation server to listen on',
    defaultText: '15006',
    set: (s, v) => (s.flags.validationServerPort = v),
  },
  {
    name: 'transparent-proxy-config',
    typeName: 'stringArray',
    boolean: false,
    usage: "Transparent proxy configuration. This flag can be repeated; '-' reads STDIN. Later values override earlier ones.",
    set: (s, v) => s.flags.transparentProxyConfig.push(v),
  },
  { name: 'help', shorthand: 'h', typeName: '', boolean: true, usage: 'help for transparent-proxy-validator', set: (s, v) => (s.help = parseGoBool(v)) },
  ...kumactlGlobalFlags<ValidatorState>({ withConfigFile: true }),
];

const description = `Validate that the transparent proxy redirects traffic (CNI mode; run as the kuma-dp UID):
a client owned by this UID connects to 127.0.0.6 (::6) and must reach a server on the inbound
port, which answers with a token the client checks.`;

/** The command line → the raw flag values init/validator resolves, and the help request. */
export function parseValidatorArgs(args: readonly string[]): ValidatorState {
  const state: ValidatorState = { flags: { transparentProxyConfig: [] }, help: false };
  withUsageHint('install transparent-proxy-validator', () => parseFlags(args, validatorFlags, state));
  return state;
}

export async function installTransparentProxyValidator(args: readonly string[], io: CliIo): Promise<number> {
  const state = parseValidatorArgs(args);
  if (state.help) {
    io.stdout(commandHelp(description, 'install transparent-proxy-validator', validatorFlags));
    return EXIT_OK;
  }
  const flags: ValidatorFlags = state.flags;
  const options = await resolveValidatorOptions(flags, { readStdin: () => Promise.resolve(io.readStdin()) });
  await runValidator(options, consoleValidatorLog((line) => io.stdout(line)));
  return EXIT_OK;
}
