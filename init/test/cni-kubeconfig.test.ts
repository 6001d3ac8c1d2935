// The two CNI programs agree on the kubeconfig: what install-cni writes is
// what kuma-cni reads without client-node (init/cni/kubeconfig.ts), for the
// servers and tokens a cluster hands out.
import { describe, expect, it } from 'vitest';
import { installCniKubeconfig } from '../cni/index.ts';
import { kubeconfigText } from '../install-cni/index.ts';

describe('install-cni → kuma-cni kubeconfig', () => {
  it.each([
    ['10.96.0.1', '443', 'eyJhbGciOiJSUzI1NiIsImtpZCI6IkEifQ.eyJpc3MiOiJrdWJlcm5ldGVzIn0.SiG-n_aT'],
    ['fd00:10:96::1', '443', 'abc'],
    ['kubernetes.default.svc', '6443', 'x.y.z'],
  ])('server %s:%s', (host, port, token) => {
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const read = installCniKubeconfig(kubeconfigText({ protocol: 'https', host, port, token, ca }));
    expect(read).toEqual({ server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, ca, token });
  });
});
