// Sampled frames mapped to the workspace with the same SourceMapper as dumps, once per file.
import type { SampleFrame } from '../model';
import type { FrameMapper, MappedPlace } from './sampler';
import type { SourceMapper } from '../mapping/sourceMap';

export function frameMapperFor(mapper: SourceMapper): FrameMapper {
  const cache = new Map<string, Promise<MappedPlace>>();
  return (f: SampleFrame) => {
    const key = `${f.native ? 'n' : 'p'}\0${f.file}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = mapper.mapFrame({ function: f.function, file: f.file, line: f.line, native: f.native, isUserCode: false }).then((m): MappedPlace => ({
        ...(m.localFile ? { localFile: m.localFile } : {}),
        isUserCode: m.isUserCode,
        ...(m.mapping ? { mapping: m.mapping } : {}),
      }));
      cache.set(key, hit);
    }
    return hit;
  };
}
