// The part of the transparent-proxy configuration the validator reads from
// `--transparent-proxy-config` values (Kuma 2.13's DataplaneConfig: the IP
// family mode and the inbound port). Documents are decoded with the install
// command's own decoder (same YAML 1.1 / encoding/json semantics and
// messages), layered in order over Kuma's defaults.
import { readFile } from 'node:fs/promises';
import { applyConfigDocument, defaultConfig, type IpFamilyMode } from '../config/index.ts';

export interface DataplaneConfig {
  ipFamilyMode: IpFamilyMode;
  inboundPort: number;
}

/** Where `-` reads from (injectable in tests). */
export interface DataplaneConfigSource {
  readStdin?: () => Promise<string>;
}

/**
 * Loads `values` in order: each is a file path, `-` for stdin, or blank
 * (skipped), like Kuma's config.Loader, which does not split on commas.
 * Throws with Kuma's wording (without the "failed to load …" prefix).
 */
export async function loadDataplaneConfig(values: readonly string[], source: DataplaneConfigSource = {}): Promise<DataplaneConfig> {
  const config = defaultConfig();
  for (const value of values) {
    const v = value.trim();
    if (v === '') continue;
    if (v === '-') {
      applyConfigDocument(config, source.readStdin ? await source.readStdin() : '');
      continue;
    }
    let text: string;
    try {
      text = await readFile(value, 'utf8');
    } catch {
      throw new Error(`unable to access configuration file '${value}', please check if the file exists and has the correct permissions`);
    }
    try {
      applyConfigDocument(config, text);
    } catch (e) {
      throw new Error(`parsing configuration from file '${value}' failed: ${(e as Error).message}`);
    }
  }
  return { ipFamilyMode: config.ipFamilyMode, inboundPort: config.redirect.inbound.port };
}
