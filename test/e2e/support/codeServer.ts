// A private code-server (VS Code 1.100 served to a browser) for end-to-end tests: its own config,
// data, user-data and extensions folders in a temp dir, a free port on 127.0.0.1, no auth, and a
// stop() that takes down its whole process group (server, extension host, pty host).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/core/run';
import { REPO } from '../../support/programs';
import { TOOL_VENV_BIN } from '../../support/tools';
import { startInBackground } from './background';

/** Where `bash scripts/setup.sh e2e` installs code-server. */
export const CODE_SERVER_BIN_DIR = join(REPO, '.cache', 'code-server', 'node_modules', '.bin');

/** User settings for a quiet, reproducible workbench that finds the project's py-spy. */
export function testSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'chat.commandCenter.enabled': false,
    'git.enabled': false,
    // The fixture servers listen on 127.0.0.1; no "application available on port" toasts.
    'remote.autoForwardPorts': false,
    'editor.hover.delay': 300,
    'editor.minimap.enabled': false,
    'snag.pyspyPath': join(TOOL_VENV_BIN, 'py-spy'),
    ...extra,
  };
}

/** The settings among these whose contributed scope is machine or machine-overridable. */
function machineScoped(settings: Record<string, unknown>): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { scope?: string }> } };
  };
  const props = manifest.contributes.configuration.properties;
  return Object.fromEntries(Object.entries(settings).filter(([key]) => /^machine/.test(props[key]?.scope ?? '')));
}

export interface CodeServerOptions {
  /** code-server executable. */
  bin: string;
  /** The folder the workbench opens. */
  folder: string;
  /** A .vsix to install before the server starts. */
  vsix?: string;
  settings?: Record<string, unknown>;
  /** Environment for the server and its extension host, over this process's (DOCKER_HOST, …). */
  env?: Record<string, string>;
}

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The temp folder holding all of this server's state. */
  stateDir: string;
  /** Where installed extensions are unpacked (`<publisher>.<name>-<version>/`). */
  extensionsDir: string;
  /** Everything the server printed so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** A port on 127.0.0.1 nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(origin: string, log: () => string, exited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`code-server exited during start-up:\n${log()}`);
    try {
      const r = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${origin}/healthz within ${timeoutMs / 1000} s:\n${log()}`);
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const stateDir = mkdtempSync(join(tmpdir(), 'snag-e2e-'));
  const userData = join(stateDir, 'user-data');
  const settings = opts.settings ?? testSettings();
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // code-server's window is a remote one: machine-scoped settings count only from its Machine
  // settings (the user's would be dropped at the first settings change), as a user sets them there.
  mkdirSync(join(userData, 'Machine'), { recursive: true });
  writeFileSync(join(userData, 'Machine', 'settings.json'), JSON.stringify(machineScoped(settings), null, 2));
  // XDG folders: code-server otherwise writes its config and heartbeat under the user's home.
  const env = { ...opts.env, XDG_CONFIG_HOME: join(stateDir, 'config'), XDG_DATA_HOME: join(stateDir, 'data') };
  const extensionsDir = join(stateDir, 'extensions');
  const dirs = ['--user-data-dir', userData, '--extensions-dir', extensionsDir];
  // SNAG_E2E_KEEP=1 keeps the state folder (user data, logs: logs/*/exthost*/…Snag.log) to look at after a failure.
  const cleanup = () => (process.env.SNAG_E2E_KEEP ? console.error(`kept ${stateDir}`) : rmSync(stateDir, { recursive: true, force: true }));

  try {
    if (opts.vsix) await run([opts.bin, ...dirs, '--force', '--install-extension', opts.vsix], { env, timeoutMs: 120_000 });
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const server = await startInBackground(
      [
        opts.bin,
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        ...dirs,
        opts.folder,
      ],
      { env },
    );
    const log = server.output;
    const stop = async () => {
      await server.stop();
      cleanup();
    };
    try {
      await waitForHealth(origin, log, server.hasExited, 60_000);
    } catch (err) {
      await stop();
      throw err;
    }
    return { port, origin, stateDir, extensionsDir, log, stop };
  } catch (err) {
    cleanup();
    throw err;
  }
}
