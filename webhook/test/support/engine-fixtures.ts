// A context and pods for engine unit tests: kuma-cp defaults, a static state
// with an injection-enabled namespace and the default Mesh.
import { kumaDefaultInjectorConfig, type InjectorConfig } from '../../config/injector-config.ts';
import { defaultSettings, type InjectorSettings } from '../../config/settings.ts';
import type { InjectionContext } from '../../engine/context.ts';
import type { Pod } from '../../engine/pod-types.ts';
import type { KubeObject } from '../../state/cluster-state.ts';
import { StaticClusterState } from '../../state/static-state.ts';

export const enabledNamespace = (name = 'demo', extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { 'kuma.io/sidecar-injection': 'enabled' }, ...extra },
});

export const mesh = (name = 'default'): KubeObject => ({ apiVersion: 'kuma.io/v1alpha1', kind: 'Mesh', metadata: { name } });

export function testContext(
  options: { config?: (config: InjectorConfig) => void; settings?: Partial<InjectorSettings>; objects?: KubeObject[] } = {},
): InjectionContext {
  const config = kumaDefaultInjectorConfig();
  options.config?.(config);
  return {
    config,
    settings: { ...defaultSettings, caCert: 'CA', ...options.settings },
    state: new StaticClusterState(options.objects ?? [enabledNamespace(), mesh()]),
  };
}

export function appPod(overrides: { annotations?: Record<string, string>; labels?: Record<string, string>; spec?: Pod['spec'] } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: 'demo',
      labels: { app: 'web', ...overrides.labels },
      ...(overrides.annotations ? { annotations: overrides.annotations } : {}),
    },
    spec: overrides.spec ?? {
      containers: [
        {
          name: 'web',
          image: 'nginx',
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: 'healthz', port: 'http' }, timeoutSeconds: 3 },
          livenessProbe: { tcpSocket: { port: 8080 } },
        },
      ],
    },
  };
}
