// A frame without a local copy that its target can serve (an ssh host) opens as a read-only
// document named by the target's id, for a dump's frame and a sampled row alike, and its text comes
// from that target's readFile: the target found by its id, no host parsed out of it.
// The fake vscode must answer before any extension module loads: keep this import first.
import '../../support/fakeVscode';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Frame, TargetRef } from '../../../src/core/model';
import { frameDocumentOf, RemoteDocuments, remoteFrameUri, REMOTE_SCHEME } from '../../../src/extension/dumps/remoteDocuments';

const host: TargetRef = { kind: 'ssh', id: 'ssh:me@prod-1:2222', label: 'prod-1' };
const remote = { method: 'remote' as const, reason: 'no copy here; opens read-only from prod-1' };
const frame = (o: Partial<Frame> = {}): Frame => ({
  function: 'fetch',
  file: '/srv/app/w.py',
  line: 12,
  native: false,
  isUserCode: true,
  mapping: remote,
  ...o,
});
const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };

describe('remote documents', () => {
  it("a frame the mapper marked remote opens under the target's id; others do not", () => {
    const uri = remoteFrameUri(host, frame())!;
    assert.equal(uri.scheme, REMOTE_SCHEME);
    assert.equal(decodeURIComponent(uri.authority), host.id);
    assert.equal(uri.path, '/srv/app/w.py');
    assert.equal(remoteFrameUri(host, frame({ localFile: '/here/w.py' })), undefined);
    assert.equal(remoteFrameUri(host, frame({ mapping: { method: 'none', reason: 'x' } })), undefined);
    assert.equal(remoteFrameUri(host, frame({ line: 0 })), undefined);
    assert.equal(remoteFrameUri(undefined, frame()), undefined, 'a loaded profile has no target');
  });

  it('dumps and sampling share where a frame shows: a library row of the host opens there too', () => {
    const documentOf = frameDocumentOf(host);
    assert.equal(documentOf(frame({ localFile: '/here/w.py' })), '/here/w.py');
    const row = { function: 'wait', file: '/usr/lib/python3.11/threading.py', line: 320, isUserCode: false, mapping: remote };
    assert.equal(documentOf(row), remoteFrameUri(host, row)!.toString());
  });

  it("the document's text is the target's file, found by the target's id", async () => {
    const asked: string[] = [];
    const docs = new RemoteDocuments(async (id) => (id === host.id ? { readFile: async (path: string) => (asked.push(path), 'print(1)\n') } : undefined));
    const uri = remoteFrameUri(host, frame())!;
    assert.equal(await docs.provideTextDocumentContent(uri as never, token as never), 'print(1)\n');
    assert.deepEqual(asked, ['/srv/app/w.py']);
    const other = remoteFrameUri({ ...host, id: 'ssh:gone' }, frame())!;
    await assert.rejects(docs.provideTextDocumentContent(other as never, token as never), /ssh:gone is not a target Snag knows/);
  });
});
