// Where the server gets its key pair from, and hears about new ones: a fixed
// pair (tests, --demo) or files that are watched for rotation.
import type { KeyPair } from './key-pair.ts';

export interface KeyPairSource {
  /** The pair in use; always a pair that parsed. */
  current(): KeyPair;
  /** Called with every new pair that parsed. Returns a function that stops the calls. */
  onChange(listener: (pair: KeyPair) => void): () => void;
  /** Called with why a new pair was refused (the old one stays in use), once per content. */
  onRejected?(listener: (error: Error) => void): () => void;
}

export function fixedKeyPair(pair: KeyPair): KeyPairSource {
  return { current: () => pair, onChange: () => () => {} };
}
