// The kubeconfig the kuma-cni plugin uses to read pods, exactly as Kuma
// 2.13.10 writes it (installer_config.go, kubeconfigTemplate): no trailing
// newline, the CA file's bytes in base64. One difference: the token is
// trimmed and must be one printable word, so a trailing newline (which Kuma
// copies into the YAML value) or a line break cannot reshape the document.
import { isIPv6 } from 'node:net';
import { fillKubeconfig } from '../cni-contract/index.ts';

export interface KubeconfigInputs {
  protocol: string;
  host: string;
  port: string;
  token: string;
  ca: Buffer;
}

/** Go's net.JoinHostPort: IPv6 hosts (anything with a colon) in brackets. */
const joinHostPort = (host: string, port: string): string => (host.includes(':') || isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`);

export function kubeconfigText({ protocol, host, port, token, ca }: KubeconfigInputs): string {
  return fillKubeconfig({ server: `${protocol}://${joinHostPort(host, port)}`, ca: ca.toString('base64'), token });
}

/** The token file's text as a kubeconfig value; throws when it is empty or not a single printable word. */
export function usableToken(raw: string): string {
  const token = raw.trim();
  if (token === '') throw new Error('the service-account token file is empty');
  if (!/^[\x21-\x7e]+$/.test(token)) throw new Error('the service-account token holds whitespace or non-printable characters');
  return token;
}
