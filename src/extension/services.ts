// The pieces activate() builds, handed to commands and views.
import type * as vscode from 'vscode';
import type { StackDecorations } from './dumps/decorations';
import type { DumpHistory } from './dumps/dumpHistory';
import type { Dumper } from './dumps/dumper';
import type { Fixes } from './fixes';
import type { ProcessTreeNode, ProcessTreeProvider } from './targets/processTree';
import type { ReportDocuments } from './dumps/reportDocuments';
import type { SamplingController } from './sampling/samplingController';
import type { SamplingViewProvider } from './sampling/samplingView';
import type { StackNode, StackTreeProvider } from './dumps/stackTree';
import type { SshHosts } from './targets/sshTargetProvider';
import type { TargetProviders } from './targets/targetProviders';

export interface Services {
  extensionUri: vscode.Uri;
  providers: TargetProviders;
  history: DumpHistory;
  dumper: Dumper;
  fixes: Fixes;
  processTree: ProcessTreeProvider;
  stackTree: StackTreeProvider;
  decorations: StackDecorations;
  reports: ReportDocuments;
  processView: vscode.TreeView<ProcessTreeNode>;
  stackView: vscode.TreeView<StackNode>;
  sshHosts: SshHosts;
  sampling: SamplingController;
  samplingView: SamplingViewProvider;
}
