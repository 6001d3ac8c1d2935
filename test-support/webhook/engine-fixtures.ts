// A context and pods for engine unit tests: kuma-cp defaults, a static state
// with an injection-enabled namespace and the default Mesh.
import type { InjectOptions } from '../../webhook/cli/inject.ts';
import { defaultSettings, type InjectorConfig, type InjectorSettings, kumaDefaultInjectorConfig, loadInjectorSetup } from '../../webhook/config/index.ts';
import { createInjectionContext, type InjectionContext, type Pod } from '../../webhook/engine/index.ts';
import { type KubeObject, loadStateFiles, StaticClusterState } from '../../webhook/state/index.ts';

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
  return createInjectionContext({
    config,
    settings: { ...defaultSettings, caCert: 'CA', ...options.settings },
    state: new StaticClusterState(options.objects ?? [enabledNamespace(), mesh()]),
  });
}

/** The context `kuma-injector inject` makes from these flags (config, settings, `--state` files). */
export function contextFromFlags(options: Omit<InjectOptions, 'filename'>): InjectionContext {
  return createInjectionContext({
    ...loadInjectorSetup(options),
    state: loadStateFiles(options.state),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
  });
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
