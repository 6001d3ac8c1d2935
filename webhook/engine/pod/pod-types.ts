// The parts of a Pod the injector reads or builds, as raw JSON (no client
// models: unknown fields must survive untouched).

export type Json = Record<string, unknown>;

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Json;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  mountPropagation?: string;
  [field: string]: unknown;
}

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface Probe {
  httpGet?: { path?: string; port?: number | string; host?: string; scheme?: string; httpHeaders?: HTTPHeader[]; [field: string]: unknown };
  tcpSocket?: { port?: number | string; host?: string };
  grpc?: { port?: number; service?: string };
  exec?: Json;
  timeoutSeconds?: number;
  [field: string]: unknown;
}

export interface Container {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort?: number; [field: string]: unknown }[];
  securityContext?: { runAsUser?: number; [field: string]: unknown };
  volumeMounts?: VolumeMount[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  restartPolicy?: string;
  [field: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    volumes?: ({ name: string } & Json)[];
    [field: string]: unknown;
  };
  [field: string]: unknown;
}
