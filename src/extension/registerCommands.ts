// Every command Snag contributes, registered in one place. Each runs through one wrapper that
// logs it with its timing and turns an unexpected failure into the standard notification.
import * as vscode from 'vscode';
import { Cmd } from './commandIds';
import { attachToProcess } from './commands/attachToProcess';
import { clearDecorations } from './commands/clearDecorations';
import { compareLastDumps } from './commands/compareLastDumps';
import { copyDumpMarkdown } from './commands/copyDumpMarkdown';
import { copyDumpText } from './commands/copyDumpText';
import { dumpStacks } from './commands/dumpStacks';
import { dumpStacksLocals } from './commands/dumpStacksLocals';
import { dumpStacksNative } from './commands/dumpStacksNative';
import { filterProcesses } from './commands/filterProcesses';
import { openFrame } from './commands/openFrame';
import { refreshProcesses } from './commands/refreshProcesses';
import { saveDumpJson } from './commands/saveDumpJson';
import { selectDump } from './commands/selectDump';
import { showLog } from './commands/showLog';
import { togglePythonOnly } from './commands/togglePythonOnly';
import { addSshHost } from './commands/addSshHost';
import { openSshTerminal } from './commands/openSshTerminal';
import { reconnectSshHost } from './commands/reconnectSshHost';
import { removeSshHost } from './commands/removeSshHost';
import { loadSampling, pauseSampling, resumeSampling, saveSampling, startSampling, stopSampling } from './commands/samplingCommands';
import { showSnagError } from './errorNotification';
import { logInfo } from './log';
import type { Services } from './services';

type Handler = (...args: unknown[]) => unknown;

export function registerCommands(s: Services): vscode.Disposable[] {
  const table: [Cmd, Handler][] = [
    [Cmd.RefreshProcesses, refreshProcesses(s)],
    [Cmd.FilterProcesses, filterProcesses(s)],
    [Cmd.TogglePythonOnly, togglePythonOnly(s)],
    [Cmd.AttachToProcess, attachToProcess(s)],
    [Cmd.DumpStacks, dumpStacks(s)],
    [Cmd.DumpStacksNative, dumpStacksNative(s)],
    [Cmd.DumpStacksLocals, dumpStacksLocals(s)],
    [Cmd.OpenFrame, openFrame(s)],
    [Cmd.ClearDecorations, clearDecorations(s)],
    [Cmd.CompareLastDumps, compareLastDumps(s)],
    [Cmd.SelectDump, selectDump(s)],
    [Cmd.CopyDumpText, copyDumpText(s)],
    [Cmd.CopyDumpMarkdown, copyDumpMarkdown(s)],
    [Cmd.SaveDumpJson, saveDumpJson(s)],
    [Cmd.ShowLog, showLog()],
    [Cmd.AddSshHost, addSshHost()],
    [Cmd.RemoveSshHost, removeSshHost()],
    [Cmd.ReconnectSshHost, reconnectSshHost(s)],
    [Cmd.OpenSshTerminal, openSshTerminal()],
    [Cmd.StartSampling, startSampling(s)],
    [Cmd.PauseSampling, pauseSampling(s)],
    [Cmd.ResumeSampling, resumeSampling(s)],
    [Cmd.StopSampling, stopSampling(s)],
    [Cmd.SaveSampling, saveSampling(s)],
    [Cmd.LoadSampling, loadSampling(s)],
  ];
  return table.map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      const started = Date.now();
      try {
        await handler(...args);
      } catch (err) {
        await showSnagError(err, s.fixes, {}, `command ${id} failed`);
      } finally {
        logInfo(`command ${id} finished in ${Date.now() - started} ms`);
      }
    }),
  );
}
