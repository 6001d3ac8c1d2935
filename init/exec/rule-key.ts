// A canonical key for one iptables rule, equal for the restore form Kuma
// renders and the form iptables-save prints back, e.g.
//   -m comment --comment "c" -p tcp -o lo ! -d 127.0.0.1/32 -m owner --uid-owner 5678
//   ! -d 127.0.0.1/32 -o lo -p tcp -m comment --comment "c" -m owner --uid-owner 5678
// Used only to decide whether an install would change anything: a key that
// differs where the rules are the same costs one needless restore, never a
// wrong skip, because every option and value still takes part in the key.

/** Splits a rule line like iptables-restore does: whitespace, double quotes, backslash escapes. */
export function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inToken = true;
    } else if (c === '"') {
      quoted = !quoted;
      inToken = true;
    } else if (!quoted && /\s/.test(c)) {
      if (inToken) tokens.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += c;
      inToken = true;
    }
  }
  if (inToken) tokens.push(cur);
  return tokens;
}

const longToShort: Record<string, string> = {
  '--protocol': '-p',
  '--source': '-s',
  '--destination': '-d',
  '--in-interface': '-i',
  '--out-interface': '-o',
  '--jump': '-j',
  '--goto': '-g',
  '--destination-port': '--dport',
  '--source-port': '--sport',
  '--destination-ports': '--dports',
  '--source-ports': '--sports',
};

function ipv4Network(addr: string, bits: number): string {
  const n = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const v = (n & mask) >>> 0;
  return [24, 16, 8, 0].map((s) => (v >>> s) & 0xff).join('.');
}

function ipv6Network(addr: string, bits: number): string {
  const [head = '', tail] = addr.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups: string[] = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const masked = groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return ((parseInt(g, 16) || 0) & (keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff)).toString(16);
  });
  // Compress the longest run of zero groups, as iptables-save prints addresses.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && masked[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return masked.join(':');
  return `${masked.slice(0, best.at).join(':')}::${masked.slice(best.at + best.len).join(':')}`;
}

/** `10.0.0.1` → `10.0.0.1/32`, `172.32.16.8/16` → `172.32.0.0/16`, `fd00:0::1` → `fd00::1/128`. */
export function canonicalAddress(value: string): string {
  const [addr = '', maskText] = value.split('/');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(addr)) {
    const bits = maskText === undefined ? 32 : Number(maskText);
    return `${ipv4Network(addr, bits)}/${bits}`;
  }
  if (addr.includes(':')) {
    const bits = maskText === undefined ? 128 : Number(maskText);
    return `${ipv6Network(addr, bits)}/${bits}`;
  }
  return value;
}

function canonicalValue(option: string, values: string[]): string {
  const v = values.join(' ');
  if (option === '-s' || option === '-d') return v.split(',').map(canonicalAddress).join(',');
  if (option === '--uid-owner' || option === '--gid-owner') return v.replace(':', '-');
  if (option === '-p') return v.toLowerCase();
  return v;
}

/** The key of a rule given without its `-A CHAIN` / `-I CHAIN [n]` head. */
export function ruleKey(spec: readonly string[]): string {
  const atoms: string[] = [];
  let negate = false;
  let module = '';
  for (let i = 0; i < spec.length; i++) {
    const tok = spec[i]!;
    if (tok === '!') {
      negate = true;
      continue;
    }
    if (tok === '-m' || tok === '--match') {
      module = spec[++i] ?? '';
      continue; // modules are implied by their options (and -m tcp/udp by -p)
    }
    let option = longToShort[tok] ?? tok;
    const values: string[] = [];
    while (i + 1 < spec.length && !spec[i + 1]!.startsWith('-') && spec[i + 1] !== '!') values.push(spec[++i]!);
    if (module === 'multiport' && ['--dport', '--dports', '--sport', '--sports'].includes(option)) {
      option = `multiport${option.replace(/s$/, '')}s`;
    }
    atoms.push(`${negate ? '! ' : ''}${option} ${canonicalValue(option, values)}`);
    negate = false;
  }
  return atoms.sort().join('\u0000');
}

export type RuleOp =
  | { op: 'append'; chain: string; key: string }
  | { op: 'insert'; chain: string; position: number; key: string }
  | { op: 'new-chain'; chain: string };

/** A restore line as an operation; undefined for lines this comparison does not model. */
export function parseRuleLine(line: string): RuleOp | undefined {
  const tokens = tokenize(line);
  const [cmd, chain] = tokens;
  if (!chain) return undefined;
  if (cmd === '-N' || cmd === '--new-chain') return { op: 'new-chain', chain };
  if (cmd === '-A' || cmd === '--append') return { op: 'append', chain, key: ruleKey(tokens.slice(2)) };
  if (cmd === '-I' || cmd === '--insert') {
    const hasPos = /^\d+$/.test(tokens[2] ?? '');
    return { op: 'insert', chain, position: hasPos ? Number(tokens[2]) : 1, key: ruleKey(tokens.slice(hasPos ? 3 : 2)) };
  }
  return undefined;
}
