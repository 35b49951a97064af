// Snag's version, from package.json (esbuild keeps only this field of it).
import { version } from '../../package.json';

export const SNAG_VERSION: string = version;
