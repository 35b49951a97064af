// Every command Snag contributes, registered in one place. Each runs through one wrapper that
// logs it with its timing and turns an unexpected failure into the standard notification.
import * as vscode from 'vscode';
import { Cmd } from './commandIds';
import { attachToProcess } from './attachToProcess';
import { clearDecorations } from './clearDecorations';
import { showThreadsHere } from './showThreadsHere';
import { checkSetup } from './checkSetup';
import { compareLastDumps } from './compareLastDumps';
import { copyDumpMarkdown } from './copyDumpMarkdown';
import { copyDumpText } from './copyDumpText';
import { dumpStacks } from './dumpStacks';
import { dumpStacksLocals } from './dumpStacksLocals';
import { dumpStacksNative } from './dumpStacksNative';
import { filterProcesses } from './filterProcesses';
import { openFrame } from './openFrame';
import { refreshProcesses } from './refreshProcesses';
import { saveDumpJson } from './saveDumpJson';
import { selectDump } from './selectDump';
import { showLog } from './showLog';
import { togglePythonOnly } from './togglePythonOnly';
import { addSshHost } from './addSshHost';
import { openSshTerminal } from './openSshTerminal';
import { reconnectSshHost } from './reconnectSshHost';
import { removeSshHost } from './removeSshHost';
import { hideContainerEngine } from './hideContainerEngine';
import { loadSampling, pauseSampling, resumeSampling, saveSampling, startSampling, stopSampling } from './samplingCommands';
import { openDumpFile } from './openDumpFile';
import { pasteDump } from './pasteDump';
import { openCoreFile } from './openCoreFile';
import { saveCore } from './saveCore';
import { showSnagError } from '../errorNotification';
import { logInfo } from '../log';
import type { Services } from '../services';

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
    [Cmd.ShowThreadsHere, showThreadsHere(s)],
    [Cmd.CheckSetup, checkSetup()],
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
    [Cmd.OpenDumpFile, openDumpFile(s)],
    [Cmd.PasteDump, pasteDump(s)],
    [Cmd.OpenCoreFile, openCoreFile(s)],
    [Cmd.SaveCore, saveCore(s)],
    [Cmd.HideContainerEngine, hideContainerEngine()],
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
