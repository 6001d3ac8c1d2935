import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conformanceDir, missingConformance } from '../../test-support/environment.ts';
import { ConfigError, injectorConfigFrom, loadInjectorConfig } from './load-config.ts';

const dir = mkdtempSync(join(tmpdir(), `injector-config-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('injector config', () => {
  it('starts from kuma-cp 2.13 defaults', () => {
    const config = loadInjectorConfig(undefined, 'kuma');
    expect(config.transparentProxyConfigMap).toBe('');
    expect(config.sidecarContainer.resources.limits.cpu).toBe('1000m');
    expect(config.sidecarContainer.drainTime).toBe(30e9);
    expect(config.applicationProbeProxyPort).toBe(9001);
    expect(config.virtualProbesPort).toBe(9000);
    expect(config.builtinDNS).toEqual({ enabled: true, port: 15053, logging: false, experimentalProxy: true });
    expect(config.exceptions.labels).toEqual({ 'openshift.io/build.name': '*', 'openshift.io/deployer-pod-for.name': '*' });
  });

  it('refuses zero values without a config file (the image is required)', () => {
    expect(() => loadInjectorConfig(undefined, 'none')).toThrow(/\.SidecarContainer is not valid: \.Image must be non-empty/);
  });

  it('accepts a kuma-cp config with runtime.kubernetes.injector and ignores other keys', () => {
    const file = write(
      'cp.yaml',
      'controlPlane: {x: 1}\nruntime:\n  kubernetes:\n    injector:\n      cniEnabled: true\n      sidecarContainer:\n        drainTime: 1m30s\n        envVars: {A: "1"}\n      exceptions:\n        labels: {team: infra}\n',
    );
    const config = loadInjectorConfig(file, 'kuma');
    expect(config.cniEnabled).toBe(true);
    expect(config.sidecarContainer.drainTime).toBe(90e9);
    expect(config.sidecarContainer.image).toBe('kuma/kuma-dp:latest');
    expect(config.sidecarContainer.envVars).toEqual({ A: '1' });
    // maps merge into the defaults, as Go's decoder does
    expect(Object.keys(config.exceptions.labels).sort()).toEqual(['openshift.io/build.name', 'openshift.io/deployer-pod-for.name', 'team']);
  });

  it('reports wrong types and invalid values with the field path', () => {
    expect(() => injectorConfigFrom({ virtualProbesPort: 'x' })).toThrow('virtualProbesPort: expected an integer, got string "x"');
    expect(() => injectorConfigFrom({ sidecarContainer: { drainTime: '3 weeks' } })).toThrow(
      /sidecarContainer.drainTime: time: .*"3 weeks"/,
    );
    expect(() => injectorConfigFrom({ sidecarContainer: { ipFamilyMode: 'ipv6' } })).toThrow(
      ".SidecarContainer is not valid: .IpFamilyMode must be either 'ipv4' or 'dualstack'",
    );
    expect(() => injectorConfigFrom({ sidecarContainer: { resources: { limits: { cpu: 'lots' } } } })).toThrow(
      '.SidecarContainer is not valid: .Resources is not valid: .Limits is not valid: .CPU is not valid: quantities must match',
    );
    expect(() => injectorConfigFrom({ sidecarContainer: { readinessProbe: { periodSeconds: 0 } } })).toThrow(
      '.ReadinessProbe is not valid: .PeriodSeconds must be >= 1',
    );
    expect(() => injectorConfigFrom(['a'])).toThrow(ConfigError);
  });
});

// The conformance data is read inside the tests only: where it is absent, they skip with
// missingConformance's message (and fail in CI) instead of failing while vitest collects them.
describe("Kuma's injector test config files load as they are", () => {
  const skip = missingConformance('injector');
  const injectorDir = (): string => join(conformanceDir(), 'injector');

  it.skipIf(skip)('every inject.config*.yaml', () => {
    const files = readdirSync(injectorDir()).filter((name) => /config.*\.yaml$/.test(name));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const config = loadInjectorConfig(join(injectorDir(), name), 'none');
      expect(config.sidecarContainer.image, name).toBe('kuma/kuma-sidecar:latest');
      expect(config.sidecarContainer.drainTime, name).toBe(31e9);
      expect(config.initContainer.image, name).toBe('kuma/kuma-init:latest');
    }
  });

  it.skipIf(skip)('has the values of inject.config-ports.yaml', () => {
    const config = loadInjectorConfig(join(injectorDir(), 'inject.config-ports.yaml'), 'none');
    expect(config.sidecarTraffic.excludeInboundPorts).toEqual([1234, 5678]);
    expect(config.sidecarTraffic.excludeOutboundPorts).toEqual([4321, 7654]);
    expect(config.applicationProbeProxyPort).toBe(0);
    expect(config.exceptions.labels).toEqual({});
  });
});
