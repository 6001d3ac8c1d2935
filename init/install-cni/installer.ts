// The executor: brings the node to the desired state (kubeconfig, plugin
// binary, kuma-cni in the chain) and back out of it on shutdown. Decisions are
// the pure functions of cni-conf.ts, kubeconfig.ts and plugin-config.ts; this
// file only reads and writes files, every write atomic, and writes nothing
// that is already as wanted (so its own writes, seen by the watcher, settle).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { copyFileAtomic, modeOr, readTextIfExists, writeFileAtomic } from './atomic-file.ts';
import {
  chainKuma,
  chainProblem,
  ChainError,
  discoverConfName,
  hasKumaEntry,
  resolveConfName,
  serializeConfig,
  standaloneProblem,
  unchainKuma,
} from './cni-conf.ts';
import type { AgentConfig } from './config.ts';
import { failingAs, InstallCniError } from './errors.ts';
import { parseJsonObject, type JsonObject } from './go-json.ts';
import { kubeconfigText, usableToken } from './kubeconfig.ts';
import type { AgentLog } from './log.ts';
import { renderPluginConfig } from './plugin-config.ts';
import { SlidingWindowLimit } from './rate-limit.ts';

/** Name of the standalone config when CNI_CONF_NAME is unset (Kuma's Helm default). */
const STANDALONE_CONF_NAME = 'kuma-cni.conf';
/** Re-chains allowed per minute: a primary plugin that rewrites its file on every change must not start a write war. */
const MAX_RECHAINS_PER_MINUTE = 30;
const BINARY_NAME = 'kuma-cni';

/** The binary as copied: a later stat that differs means someone replaced or removed it. */
interface CopiedBinary {
  path: string;
  ino: number;
  size: number;
  mtimeMs: number;
}

const exists = async (path: string): Promise<boolean> => access(path).then(() => true, () => false);

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** The regular files of a conf dir with their text (cut past MAX_CONFIG_BYTES); [] when the dir is missing. */
export async function readConfDir(dir: string): Promise<{ name: string; text: string }[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: { name: string; text: string }[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const text = await readTextIfExists(join(dir, entry.name)).catch(() => undefined);
    if (text !== undefined) files.push({ name: entry.name, text });
  }
  return files;
}

export class Installer {
  private binary: CopiedBinary | undefined;
  private sourceHash: string | undefined;
  /** The config file kuma-cni is chained into (chained) or written to (standalone). */
  private confPath: string | undefined;
  /** The primary plugin's own text of that file, as last seen without kuma-cni. */
  private primaryText: string | undefined;
  /** What this agent last wrote there. */
  private writtenText: string | undefined;
  private readonly rechains = new SlidingWindowLimit(MAX_RECHAINS_PER_MINUTE, 60_000);

  constructor(
    private readonly config: AgentConfig,
    private readonly log: AgentLog,
  ) {}

  private get kubeconfigPath(): string {
    return join(this.config.confDir, this.config.kubeconfigName);
  }

  /**
   * One pass towards the desired state. Returns what still keeps the node from
   * being ready (e.g. the primary plugin has not written its config yet);
   * throws an InstallCniError when the agent cannot work at all.
   */
  async reconcile(): Promise<string[]> {
    const token = await this.ensureKubeconfig();
    await this.ensureBinary();
    return this.ensurePluginConfig(token);
  }

  /** What keeps the node from being ready right now, read fresh from the files (the readiness endpoint's answer). */
  async problems(): Promise<string[]> {
    const problems: string[] = [];
    if (!(await exists(this.kubeconfigPath))) problems.push(`kubeconfig ${this.kubeconfigPath} is missing`);
    if (!(await this.binaryInPlace())) problems.push('the kuma-cni binary is not in place');
    if (!this.confPath) return [...problems, 'no CNI config file holds kuma-cni yet'];
    const config = parseJsonObject((await readTextIfExists(this.confPath).catch(() => undefined)) ?? '');
    const found = this.config.chained ? chainProblem(config, this.kumaObject(await this.readToken())) : standaloneProblem(config);
    return found ? [...problems, `${this.confPath}: ${found}`] : problems;
  }

  /** Undoes the install (Kuma's cleanup, with the chain reverted before the binary goes). Each step's failure is logged and the next step runs. */
  async cleanup(): Promise<void> {
    await this.step('revert the CNI config', () => this.revertPluginConfig());
    await this.step('remove the kuma-cni binary', () => rm(join(this.config.binDirs[0], BINARY_NAME), { force: true }));
    await this.step('remove the kubeconfig', () => rm(this.kubeconfigPath, { force: true }));
  }

  private async step(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
      this.log.debug(`cleanup: done: ${what}`);
    } catch (error) {
      this.log.error(`cleanup: could not ${what}`, { error: (error as Error).message });
    }
  }

  private async readToken(): Promise<string> {
    return failingAs('kubeconfig', `could not read the service-account token ${this.config.tokenFile}`, async () =>
      usableToken(await readFile(this.config.tokenFile, 'utf8')),
    );
  }

  private async ensureKubeconfig(): Promise<string> {
    const { host, port, protocol } = this.config.apiServer;
    if (!host) throw new InstallCniError('kubeconfig', 'KUBERNETES_SERVICE_HOST env variable not set');
    if (!port) throw new InstallCniError('kubeconfig', 'KUBERNETES_SERVICE_PORT env variable not set');
    const token = await this.readToken();
    const ca = await failingAs('kubeconfig', `could not read the CA file ${this.config.caFile}`, () => readFile(this.config.caFile));
    const text = kubeconfigText({ protocol, host, port, token, ca });
    // The mode counts too: the file holds a credential.
    if ((await readTextIfExists(this.kubeconfigPath)) !== text || (await modeOr(this.kubeconfigPath, 0)) !== 0o600) {
      await failingAs('kubeconfig', `could not write ${this.kubeconfigPath}`, () => writeFileAtomic(this.kubeconfigPath, text, 0o600));
      this.log.info('wrote kubernetes config', { path: this.kubeconfigPath });
    }
    return token;
  }

  private async binaryInPlace(): Promise<boolean> {
    if (!this.binary) return false;
    const now = await stat(this.binary.path).catch(() => undefined);
    return now !== undefined && now.ino === this.binary.ino && now.size === this.binary.size && now.mtimeMs === this.binary.mtimeMs;
  }

  /** The plugin binary in the first bin dir that takes it (Kuma: primary, then secondary); copied again when it changed or vanished. */
  private async ensureBinary(): Promise<void> {
    if (await this.binaryInPlace()) return;
    const source = this.config.pluginBinary;
    const sourceStat = await failingAs('binary', `can't stat the kuma-cni binary ${source}`, () => stat(source));
    this.sourceHash ??= await failingAs('binary', `can't read the kuma-cni binary ${source}`, () => sha256(source));
    const failures: string[] = [];
    for (const dir of this.config.binDirs) {
      const target = join(dir, BINARY_NAME);
      try {
        await access(dir, constants.W_OK);
        const same = (await stat(target).catch(() => undefined))?.size === sourceStat.size && (await sha256(target)) === this.sourceHash;
        if (!same) {
          await copyFileAtomic(source, target, (sourceStat.mode & 0o777) | 0o111);
          this.log.info('wrote kuma CNI binaries', { dir });
        }
        const copied = await stat(target);
        this.binary = { path: target, ino: copied.ino, size: copied.size, mtimeMs: copied.mtimeMs };
        return;
      } catch (error) {
        failures.push(`${dir}: ${(error as Error).message}`);
        this.log.info('writing to dir failed', { dir, error: (error as Error).message });
      }
    }
    throw new InstallCniError('binary', `could not copy binary files: ${failures.join('; ')}`);
  }

  private kumaObject(token: string): JsonObject {
    const { networkConfigTemplate, hostConfDir, kubeconfigName } = this.config;
    if (networkConfigTemplate.trim() === '') throw new InstallCniError('pluginConfig', 'CNI_NETWORK_CONFIG is empty: it holds the kuma-cni plugin config');
    const kuma = parseJsonObject(renderPluginConfig(networkConfigTemplate, { hostConfDir, kubeconfigName, token }));
    if (!kuma) throw new InstallCniError('pluginConfig', 'CNI_NETWORK_CONFIG is not a JSON object once its placeholders are filled');
    return kuma;
  }

  private async ensurePluginConfig(token: string): Promise<string[]> {
    if (!this.config.chained) return this.ensureStandalone(token);
    const kuma = this.kumaObject(token);
    const name = await this.primaryConfName();
    if (!name) return [`waiting for the primary CNI plugin's config in ${this.config.confDir}`];
    const path = join(this.config.confDir, name);
    const text = await readTextIfExists(path);
    const host = parseJsonObject(text ?? '');
    if (text === undefined || !host) return [`waiting for ${path} to hold a JSON object`];
    if (path !== this.confPath) this.primaryText = undefined;
    this.confPath = path;
    if (!chainProblem(host, kuma)) return [];
    if (!hasKumaEntry(host)) this.primaryText = text;
    let chained: string;
    try {
      chained = serializeConfig(chainKuma(host, kuma));
    } catch (error) {
      if (!(error instanceof ChainError)) throw error;
      return [`${path}: ${error.message}`];
    }
    if (!this.rechains.tryTake()) {
      return [`${path} was rewritten without kuma-cni ${MAX_RECHAINS_PER_MINUTE} times within a minute; chaining again in ${Math.ceil(this.rechains.msUntilFree() / 1000)} s`];
    }
    await failingAs('pluginConfig', `could not write ${path}`, async () => writeFileAtomic(path, chained, await modeOr(path, 0o644)));
    this.writtenText = chained;
    this.log.info('chained kuma-cni into the CNI config', { file: path });
    return [];
  }

  private async ensureStandalone(token: string): Promise<string[]> {
    this.kumaObject(token); // refuses a template that is not a JSON object
    const path = join(this.config.confDir, this.config.confName ?? STANDALONE_CONF_NAME);
    const { networkConfigTemplate, hostConfDir, kubeconfigName } = this.config;
    const text = renderPluginConfig(networkConfigTemplate, { hostConfDir, kubeconfigName, token });
    this.confPath = path;
    if ((await readTextIfExists(path)) === text) return [];
    await failingAs('pluginConfig', `could not write ${path}`, () => writeFileAtomic(path, text, 0o644));
    this.log.info('wrote the standalone kuma-cni config', { file: path });
    return [];
  }

  /** CNI_CONF_NAME (Kuma's .conf → .conflist resolution), else the file the runtime loads first. */
  private async primaryConfName(): Promise<string | undefined> {
    const dir = this.config.confDir;
    if (this.config.confName) {
      const names = new Set(await readdir(dir).catch(() => []));
      return resolveConfName(this.config.confName, (n) => names.has(n));
    }
    return discoverConfName(await readConfDir(dir));
  }

  /** Puts the primary plugin's file back: its own bytes when nobody wrote after us, else the chain minus kuma-cni. */
  private async revertPluginConfig(): Promise<void> {
    const path = this.confPath;
    if (!path) return;
    if (!this.config.chained) {
      await rm(path, { force: true });
      return;
    }
    const current = await readTextIfExists(path);
    const config = parseJsonObject(current ?? '');
    if (current === undefined || !config || !hasKumaEntry(config)) return;
    const reverted = current === this.writtenText && this.primaryText !== undefined ? this.primaryText : serializeConfig(unchainKuma(config));
    await writeFileAtomic(path, reverted, await modeOr(path, 0o644));
    this.log.info('reverted the CNI config', { file: path });
  }
}
