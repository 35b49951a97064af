// Bundles the extension and the CLI into dist/ (CommonJS, Node 20), and the webview pages into
// dist/webview/ (browser scripts). `vscode` stays external: the extension host provides it; the
// CLI never imports it.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
  // The gdb program (src/core/backends/snag_gdb.py) is bundled as a string.
  loader: { '.py': 'text' },
};

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  // The CLI: a small launcher (dist/cli.js, `snag`) that starts the bundle with V8's code cache.
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/snag.js' },
  { ...common, entryPoints: ['src/cli/launch.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The Sampling view's page: a browser script the webview loads (samplingView.ts), one IIFE.
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    entryPoints: ['src/webview/sampling/main.ts'],
    outfile: 'dist/webview/sampling.js',
  },
];

if (watch) {
  // A help text from an older build would be wrong: without one, `snag --help` asks the bundle.
  rmSync('dist/usage.txt', { force: true });
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // `snag --help` is the launcher's to print without loading the bundle: the bundle's own text, kept.
  const help = spawnSync(process.execPath, ['dist/snag.js', '--help'], { encoding: 'utf8', timeout: 60_000 });
  if (help.status !== 0 || !help.stdout) throw new Error(`snag --help failed while building: ${help.stderr}`);
  writeFileSync('dist/usage.txt', help.stdout);
}
