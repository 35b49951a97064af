// Random argument lists for the remote-quoting tests: the characters shells treat specially,
// control characters, unicode from every plane, empty strings and leading dashes, mixed at
// random. Seeded, so a failure can be replayed with the seed it prints. (NUL cannot be in an
// argument at all, and lone UTF-16 surrogates have no UTF-8 form, so neither is generated.)

/** mulberry32: a small, good-enough PRNG with a 32-bit seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  "'",
  '"',
  '\\',
  '$',
  '`',
  '$(id)',
  '${HOME}',
  '$1',
  '$@',
  '!',
  '!!',
  '*',
  '?',
  '[a-z]',
  '~',
  '~root',
  '#',
  ';',
  '&',
  '&&',
  '|',
  '<',
  '>',
  '>>',
  '(',
  ')',
  '{',
  '}',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  "'\\''",
  "'\"'\"'",
  '--',
  '-',
  '-e',
  '-n',
  '--help',
  '-c',
  '%s',
  '%n',
  '\\0',
  '\\n',
  '\x01',
  '\x07',
  '\x1b[31m',
  '\x7f',
  'é',
  'ß',
  '漢字',
  '🐍',
  '\u202e',
  '\u200b',
  '\ufeff',
  'e\u0301',
  '\u00a0',
  '\u2028',
  '\uffff',
  '\u{10ffff}',
];

function randomCodePoint(r: () => number): string {
  const ranges: [number, number][] = [
    [1, 0x7f],
    [0x80, 0x7ff],
    [0x800, 0xd7ff],
    [0xe000, 0xfffd],
    [0x10000, 0x10ffff],
  ];
  const [lo, hi] = ranges[Math.floor(r() * ranges.length)]!;
  return String.fromCodePoint(lo + Math.floor(r() * (hi - lo + 1)));
}

export function randomArg(r: () => number): string {
  const kind = r();
  if (kind < 0.08) return '';
  const n = 1 + Math.floor(r() * 8);
  let s = '';
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.45) s += NASTY[Math.floor(r() * NASTY.length)];
    else if (k < 0.75) s += randomCodePoint(r);
    else s += String.fromCharCode(0x20 + Math.floor(r() * 95)); // printable ASCII
  }
  return kind < 0.15 ? `-${s}` : s;
}

export function randomArgv(r: () => number, maxArgs = 6): string[] {
  return Array.from({ length: Math.floor(r() * (maxArgs + 1)) }, () => randomArg(r));
}
