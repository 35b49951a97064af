// Every command id Snag contributes, in one place (package.json lists the same ids).
export const enum Cmd {
  RefreshProcesses = 'snag.refreshProcesses',
  FilterProcesses = 'snag.filterProcesses',
  TogglePythonOnly = 'snag.togglePythonOnly',
  AttachToProcess = 'snag.attachToProcess',
  DumpStacks = 'snag.dumpStacks',
  DumpStacksNative = 'snag.dumpStacksNative',
  DumpStacksLocals = 'snag.dumpStacksLocals',
  OpenFrame = 'snag.openFrame',
  ClearDecorations = 'snag.clearDecorations',
  CompareLastDumps = 'snag.compareLastDumps',
  SelectDump = 'snag.selectDump',
  CopyDumpText = 'snag.copyDumpText',
  CopyDumpMarkdown = 'snag.copyDumpMarkdown',
  SaveDumpJson = 'snag.saveDumpJson',
  ShowLog = 'snag.showLog',
  AddSshHost = 'snag.addSshHost',
  RemoveSshHost = 'snag.removeSshHost',
  ReconnectSshHost = 'snag.reconnectSshHost',
  OpenSshTerminal = 'snag.openSshTerminal',
  StartSampling = 'snag.startSampling',
  PauseSampling = 'snag.pauseSampling',
  ResumeSampling = 'snag.resumeSampling',
  StopSampling = 'snag.stopSampling',
  SaveSampling = 'snag.saveSampling',
  LoadSampling = 'snag.loadSampling',
}

export const enum ViewId {
  Processes = 'snag.processes',
  Stacks = 'snag.stacks',
  Sampling = 'snag.sampling',
}
