// This machine: the kind `snag` reads when no option names another place.
import { LocalTarget } from '../targets/local';
import type { TargetKindDescriptor } from './targetKind';

export const localKind: TargetKindDescriptor = {
  id: 'local',
  options: {},
  pickedBy: [],
  usage: {
    ps: ['  snag ps [--all] [--json]                    Python processes here as a tree (--all: every process)'],
    read: [],
  },
  localPids: true,
  open: async () => new LocalTarget(),
};
