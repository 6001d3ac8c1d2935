// Kuma 2.13.10's install-cni test data (app/cni/pkg/install/testdata), every
// file of it: conf file discovery, the chained and reverted configs, the
// install check, the plugin config (chained and standalone) and the
// kubeconfig. JSON is compared byte for byte after Go's serialization (Kuma's
// tests compare semantically; equal bytes imply that).
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceDir, missingConformance } from '../../test-support/environment.ts';
import { chainKuma, chainProblem, discoverConfName, serializeConfig, standaloneProblem, unchainKuma } from './cni-conf.ts';
import { isValidConf, isValidConflist } from './cni-conf.ts';
import { loadAgentConfig } from './config.ts';
import { parseJsonObject, type JsonObject } from './go-json.ts';
import { Installer, readConfDir } from './installer.ts';
import { kubeconfigText } from './kubeconfig.ts';
import { consoleAgentLog } from './log.ts';
import { renderPluginConfig } from './plugin-config.ts';
import { makeNodeDirs, type NodeDirs } from '../../test-support/init/install-cni/node-dirs.ts';

const missing = missingConformance('install-cni');
const dir = () => join(conformanceDir(), 'install-cni');
const used = new Set<string>();

function text(file: string): string {
  used.add(file);
  return readFileSync(join(dir(), file), 'utf8');
}

function object(file: string): JsonObject {
  const parsed = parseJsonObject(text(file));
  if (!parsed) throw new Error(`${file} is not a JSON object`);
  return parsed;
}

/** A golden as Kuma's MarshalIndent writes it (the files end with a newline the code does not write). */
const golden = (file: string) => text(file).replace(/\n$/, '');

/** Kuma's kumaCniConfigTemplate (consts.go): the standalone golden with its kubeconfig path put back as the placeholder. */
function kumaTemplate(): string {
  const template = golden('prepare-standalone-kuma-config/kuma-cni.conf.golden').replace('/etc/cni/net.d/ZZZ-kuma-cni-kubeconfig', '__KUBECONFIG_FILEPATH__');
  expect(template).toContain('__KUBECONFIG_FILEPATH__');
  return template;
}

/** Kuma's kumaCniConfig (consts.go): the same with the default conf dir. */
const kumaObject = (): JsonObject => parseJsonObject(renderPluginConfig(kumaTemplate(), { hostConfDir: '/etc/cni/net.d', kubeconfigName: 'ZZZ-kuma-cni-kubeconfig', token: '' }))!;

describe.skipIf(missing)('install-cni: Kuma 2.13.10 conformance data', () => {
  describe('conf file discovery (PostProcess)', () => {
    const discover = async (sub: string) => {
      for (const file of await readConfDir(join(dir(), sub))) used.add(join(sub, file.name));
      return discoverConfName(await readConfDir(join(dir(), sub)));
    };
    it('finds a .conf', async () => expect(await discover('find-conf-dir')).toBe('10-flannel.conf'));
    it('finds a .conflist', async () => expect(await discover('find-conflist-dir')).toBe('10-calico.conflist'));
    it('does not look into sub-directories', async () => {
      expect(await discover('find-conf-dir-nested')).toBeUndefined();
      expect(parseJsonObject(text('find-conf-dir-nested/nest/10-flannel.conf'))).toMatchObject({ type: 'flannel' });
    });
    it('finds nothing in a missing dir (Kuma then names YYY-kuma-cni.conflist; the agent waits for one)', async () =>
      expect(await discover('nonexistent-dir')).toBeUndefined());
    it('tells a .conf from a .conflist', () => {
      expect(isValidConf(object('10-flannel.conf'))).toBe(true);
      expect(isValidConflist(object('10-flannel.conf'))).toBe(false);
    });
  });

  describe('chaining (transformJsonConfig) and reverting (revertConfigContents)', () => {
    it('appends kuma-cni to a conflist', () => {
      expect(serializeConfig(chainKuma(object('10-calico.conflist'), kumaObject()))).toBe(golden('10-calico-cni-injected.conflist'));
    });
    it('wraps a single .conf into a list', () => {
      expect(serializeConfig(chainKuma(object('10-flannel.conf'), kumaObject()))).toBe(golden('10-flannel-cni-injected.conf'));
    });
    it('removes kuma-cni from a conflist', () => {
      expect(serializeConfig(unchainKuma(object('10-calico-cni-injected.conflist')))).toBe(golden('10-calico.conflist'));
    });
    it('removes kuma-cni from a wrapped .conf, which stays a list', () => {
      expect(serializeConfig(unchainKuma(object('10-flannel-cni-injected.conf')))).toBe(golden('10-flannel-clean.conf'));
    });
  });

  describe('install check (CheckInstall)', () => {
    it('passes a chained file holding kuma-cni, whatever its extension', () => {
      expect(chainProblem(object('10-flannel-cni-injected.conf'), kumaObject())).toBeUndefined();
      expect(chainProblem(object('10-calico.conflist'), kumaObject())).toBe('kuma-cni plugin is missing in the chained config file');
    });
    it("passes kuma-cni's own standalone file and refuses another plugin's", () => {
      expect(standaloneProblem(object('10-kuma-cni.conf'))).toBeUndefined();
      expect(standaloneProblem(object('10-flannel.conf'))).toBeDefined();
    });
  });

  describe('what the installer writes (PrepareKumaCniConfig, PrepareKubeconfig)', () => {
    let node: NodeDirs;
    beforeAll(() => {
      node = makeNodeDirs();
    });
    afterAll(() => node.remove());

    /** Runs one install pass over a copy of a testdata dir used as the conf dir, as Kuma's test does in place. */
    async function installInto(sub: string, env: Record<string, string>): Promise<string> {
      const confDir = join(node.root, sub);
      cpSync(join(dir(), sub), confDir, { recursive: true });
      for (const file of readdirSync(confDir)) used.add(join(sub, file));
      const config = loadAgentConfig({ ...node.env, MOUNTED_CNI_NET_DIR: confDir, KUBE_SERVICE_ACCOUNT_TOKEN_PATH: join(confDir, 'token'), ...env });
      expect(await new Installer(config, consoleAgentLog('off')).reconcile()).toEqual([]);
      return confDir;
    }

    it('replaces the kuma-cni entry of a chained conflist, kubeconfig path from CNI_NET_DIR', async () => {
      const confDir = await installInto('prepare-chained-kuma-config', { CNI_NETWORK_CONFIG: kumaTemplate(), CNI_NET_DIR: '/foo/bar', CNI_CONF_NAME: '10-calico.conflist' });
      const written = readFileSync(join(confDir, '10-calico.conflist'), 'utf8');
      expect(written).toBe(golden('prepare-chained-kuma-config/10-calico.conflist.golden'));
      expect(written).toBe(text('prepare-chained-kuma-config/10-calico.conflist'));
      expect(text('prepare-chained-kuma-config/token')).toBe('dce');
    });

    it('writes the standalone template verbatim', async () => {
      const confDir = await installInto('prepare-standalone-kuma-config', {
        CNI_NETWORK_CONFIG: kumaTemplate(),
        CHAINED_CNI_PLUGIN: 'false',
        CNI_CONF_NAME: 'kuma-cni.conf',
      });
      const written = readFileSync(join(confDir, 'kuma-cni.conf'), 'utf8');
      expect(written).toBe(golden('prepare-standalone-kuma-config/kuma-cni.conf.golden'));
      expect(written).toBe(text('prepare-standalone-kuma-config/kuma-cni.conf'));
    });

    it('writes the kubeconfig byte for byte, readable by its owner only', async () => {
      const sub = 'prepare-kubeconfig';
      const confDir = await installInto(sub, {
        KUBE_CA_FILE: join(node.root, sub, 'ca.crt'),
        KUBERNETES_SERVICE_HOST: 'localhost',
        KUBERNETES_SERVICE_PORT: '3000',
        CNI_CONF_NAME: 'kuma-cni.conf',
        CHAINED_CNI_PLUGIN: 'false',
        CNI_NETWORK_CONFIG: kumaTemplate(),
      });
      const written = readFileSync(join(confDir, 'ZZZ-kuma-cni-kubeconfig'), 'utf8');
      expect(written).toBe(golden(`${sub}/ZZZ-kuma-cni-kubeconfig.golden`));
      expect(written).toBe(text(`${sub}/ZZZ-kuma-cni-kubeconfig`));
      expect([text(`${sub}/token`), text(`${sub}/ca.crt`)]).toEqual(['abc', 'cert']);
      expect(statSync(join(confDir, 'ZZZ-kuma-cni-kubeconfig')).mode & 0o777).toBe(0o600);
    });
  });

  it('writes an IPv6 API server in brackets and the CA bytes with their newline (GenerateKubeconfigTemplate)', () => {
    const written = kubeconfigText({ protocol: 'https', host: '2001:0db8:85a3:0000:0000:8a2e:0370:7334', port: '3000', token: 'token', ca: Buffer.from('abc\n') });
    expect(written).toContain('    server: https://[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:3000\n');
    expect(written).toContain('    certificate-authority-data: YWJjCg==\n');
    expect(written.endsWith('current-context: kuma-cni-context')).toBe(true);
  });

  afterAll(() => {
    const all = (sub: string): string[] =>
      readdirSync(join(dir(), sub), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(join(sub, e.name)) : [join(sub, e.name)]));
    const files = all('');
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !used.has(f)).map((f) => relative('', f))).toEqual([]);
  });
});
