/**
 * For tests: validators that share no code with ours. `coreutilsCheck` re-checks a bag
 * with GNU coreutils (sha256sum, find, awk): bagit.txt, both manifests, that every payload
 * and tag file is listed, and Payload-Oxum. `pythonBagit` runs the Library of Congress
 * `bagit` Python library when it is installed (Debian's python3-bagit, not in bookworm).
 */
import { spawnSync } from 'node:child_process';

export interface ToolResult {
  ok: boolean;
  output: string;
}

// Paths in manifests are percent-encoded (RFC 8493 2.1.3); the test bags use no CR or LF
// in names, so decoding %25 is enough for sha256sum.
const COREUTILS_CHECK = String.raw`
set -eu
cd "$1"
printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' | cmp -s - bagit.txt || { echo 'bagit.txt differs'; exit 1; }
sed 's/%25/%/g' manifest-sha256.txt | sha256sum --check --strict --quiet - || { echo 'payload checksum failed'; exit 1; }
sed 's/%25/%/g' tagmanifest-sha256.txt | sha256sum --check --strict --quiet - || { echo 'tag checksum failed'; exit 1; }
listed=$(sed -E 's/^[0-9a-f]{64} +//; s/%25/%/g' manifest-sha256.txt | LC_ALL=C sort)
present=$(find data -type f | LC_ALL=C sort)
[ "$listed" = "$present" ] || { echo "payload listing differs"; diff <(echo "$listed") <(echo "$present"); exit 1; }
listed=$(sed -E 's/^[0-9a-f]{64} +//; s/%25/%/g' tagmanifest-sha256.txt | LC_ALL=C sort)
present=$(find . -type f ! -path './data/*' ! -name 'tagmanifest-*' | sed 's|^\./||' | LC_ALL=C sort)
[ "$listed" = "$present" ] || { echo "tag listing differs"; diff <(echo "$listed") <(echo "$present"); exit 1; }
oxum=$(sed -n 's/^Payload-Oxum: //p' bag-info.txt)
actual=$(find data -type f -printf '%s\n' | awk '{ s += $1; n += 1 } END { print s "." n }')
[ "$oxum" = "$actual" ] || { echo "Payload-Oxum $oxum, data/ holds $actual"; exit 1; }
echo "bag is valid"
`;

export function coreutilsCheck(bagDir: string): ToolResult {
  const run = spawnSync('bash', ['-c', COREUTILS_CHECK, 'check', bagDir], { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

const PYTHON = process.env.PYTHON_BAGIT ?? '/usr/bin/python3';

export function hasPythonBagit(): boolean {
  return spawnSync(PYTHON, ['-c', 'import bagit'], { encoding: 'utf8' }).status === 0;
}

export function pythonBagit(bagDir: string): ToolResult {
  const run = spawnSync(PYTHON, ['-c', 'import sys, bagit\nbagit.Bag(sys.argv[1]).validate()\nprint("valid")', bagDir], { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

export function xmllint(...args: string[]): ToolResult {
  const run = spawnSync('xmllint', args, { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}
