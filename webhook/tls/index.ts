// The serving certificate: a key pair from files, watched and reloaded. The
// self-signed generator (self-signed.ts) is imported on its own, lazily: its
// certificate library costs about 18 MB of memory.
export { fixedKeyPair, type KeyPairSource } from './key-pair-source.ts';
export { checkKeyPair, type KeyPair, minTlsVersion, readKeyPair, sameKeyPair, secureContextOptions, tls12CipherSuites, tls13CipherSuites } from './key-pair.ts';
export { type KeyPairFiles, WatchedKeyPair, type WatchOptions } from './watched-key-pair.ts';
export { expiryMetricName, registerCertificateExpiry } from './certificate-metrics.ts';
