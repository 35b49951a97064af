// The pieces activate() builds, handed to commands and views.
import type * as vscode from 'vscode';
import type { StackDecorations } from './decorations';
import type { DumpHistory } from './dumpHistory';
import type { Dumper } from './dumper';
import type { Fixes } from './fixes';
import type { ProcessTreeNode, ProcessTreeProvider } from './processTree';
import type { ReportDocuments } from './reportDocuments';
import type { SamplingController } from './sampling/samplingController';
import type { SamplingViewProvider } from './sampling/samplingView';
import type { StackNode, StackTreeProvider } from './stackTree';
import type { SshHosts } from './sshTargetProvider';
import type { TargetProviders } from './targetProviders';

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
