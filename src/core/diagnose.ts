// Findings: plain-language explanations of a dump. Placeholder rules live in ./findings/.
import type { Finding, StackDump } from './model';

export async function diagnose(dump: StackDump): Promise<Finding[]> {
  void dump;
  return [];
}
