// Finding texts are shared with the CLI and name its commands; in the editor, the command of the
// editor that does the same is what helps.
const CLI_TO_EDITOR: ReadonlyArray<[RegExp, string]> = [[/`snag dump --native`/g, '**Dump Stacks with Native Frames**']];

export function inEditorTerms(markdown: string): string {
  return CLI_TO_EDITOR.reduce((md, [cli, editor]) => md.replace(cli, editor), markdown);
}
