// The agent's environment: Kuma 2.13.10's names and defaults, the path
// overrides, and refusals with the variable named.
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.ts';
import { InstallCniError } from './errors.ts';

describe('loadAgentConfig', () => {
  it("has Kuma's defaults and container paths", () => {
    const config = loadAgentConfig({});
    expect(config).toMatchObject({
      checkIntervalSeconds: 1,
      chained: true,
      confName: undefined,
      logLevel: 'info',
      hostConfDir: '/etc/cni/net.d',
      kubeconfigName: 'ZZZ-kuma-cni-kubeconfig',
      caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
      tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      apiServer: { protocol: 'https', host: undefined, port: undefined },
      confDir: '/host/etc/cni/net.d',
      stayRunning: true,
      pluginBinary: '/opt/cni/bin/kuma-cni',
      binDirs: ['/host/opt/cni/bin', '/host/secondary-bin-dir'],
      readyFile: '/tmp/ready',
      processTitle: '/install-cni',
      readyz: { host: '0.0.0.0', port: 9779 },
      repair: { mode: 'off', perMinute: 10, validatorContainer: 'kuma-validation', label: { key: 'cni.kuma.io/validation-failed', value: 'true' } },
    });
  });

  it("reads Kuma's variables as Go's envconfig does", () => {
    const config = loadAgentConfig({ CHAINED_CNI_PLUGIN: 'F', SLEEP: 'false', CNI_CONF_NAME: 'kuma-cni.conf', CFGCHECK_INTERVAL: '5', KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' });
    expect(config).toMatchObject({ chained: false, stayRunning: false, confName: 'kuma-cni.conf', checkIntervalSeconds: 5, apiServer: { host: '10.0.0.1', port: '443' } });
  });

  it('takes every fixed path from an override', () => {
    const config = loadAgentConfig({ INSTALL_CNI_PLUGIN_BINARY: '/p', INSTALL_CNI_BIN_DIR: '/b1', INSTALL_CNI_SECONDARY_BIN_DIR: '/b2', INSTALL_CNI_READY_FILE: '/r', MOUNTED_CNI_NET_DIR: '/c', INSTALL_CNI_READYZ_ADDRESS: '[::1]:0' });
    expect(config).toMatchObject({ pluginBinary: '/p', binDirs: ['/b1', '/b2'], readyFile: '/r', confDir: '/c', readyz: { host: '::1', port: 0 } });
    expect(loadAgentConfig({ INSTALL_CNI_READYZ_ADDRESS: 'off' }).readyz).toBeUndefined();
  });

  it.each([
    [{ CFGCHECK_INTERVAL: '0' }, 'CFGCHECK_INTERVAL env variable needs to be greater than 0', 1],
    [{ CFGCHECK_INTERVAL: '1s' }, 'CFGCHECK_INTERVAL: "1s" is not an integer', 1],
    [{ SLEEP: 'yes' }, 'SLEEP: "yes" is not a boolean', 1],
    [{ CNI_LOG_LEVEL: 'trace' }, 'CNI_LOG_LEVEL: "trace" is not one of off, info, debug', 2],
    [{ INSTALL_CNI_REPAIR_MODE: 'delete' }, 'NODE_NAME must be set when INSTALL_CNI_REPAIR_MODE is delete', 1],
    [{ INSTALL_CNI_REPAIR_MODE: 'evict' }, 'INSTALL_CNI_REPAIR_MODE: "evict" is not one of off, delete, label', 1],
    [{ INSTALL_CNI_REPAIR_PER_MINUTE: '0' }, 'INSTALL_CNI_REPAIR_PER_MINUTE needs to be between 1 and 600', 1],
    [{ INSTALL_CNI_REPAIR_LABEL: 'no value' }, 'INSTALL_CNI_REPAIR_LABEL: "no value" is not a label key=value', 1],
    [{ INSTALL_CNI_READYZ_ADDRESS: 'localhost' }, 'INSTALL_CNI_READYZ_ADDRESS: "localhost" is not host:port (or off)', 1],
  ])('refuses %o', (env, message, exitCode) => {
    const error = (() => {
      try {
        loadAgentConfig(env);
      } catch (e) {
        return e as InstallCniError;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(InstallCniError);
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(exitCode);
  });

  it('parses the repair settings', () => {
    const config = loadAgentConfig({ INSTALL_CNI_REPAIR_MODE: 'label', NODE_NAME: 'node-a', INSTALL_CNI_REPAIR_PER_MINUTE: '3', INSTALL_CNI_REPAIR_LABEL: 'example.com/broken=' });
    expect(config.repair).toMatchObject({ mode: 'label', nodeName: 'node-a', perMinute: 3, label: { key: 'example.com/broken', value: '' } });
  });
});
