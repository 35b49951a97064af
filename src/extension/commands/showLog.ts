import { showLog as show } from '../log';

export function showLog(): () => void {
  return () => show();
}
