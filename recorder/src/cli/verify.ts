/**
 * npm run recording:verify -- DIR
 * Verifies one recording, or every recording under DIR and the chain linking them: one
 * line per problem ("FAIL <path>: <what>"), notes ("NOTE <path>: <what>"), then
 * "N recordings checked, N problems". Exit 0 if none, 1 on problems, 2 on bad usage.
 */
import { stat } from 'node:fs/promises';
import { verifyArchive } from '../manifest/verify.js';

const USAGE = 'usage: npm run recording:verify -- DIR   (a recording directory, or a directory of recordings)\n';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

async function main(args: string[]): Promise<number> {
  const [dir] = args;
  if (dir === undefined || args.length > 1 || dir.startsWith('-')) {
    process.stderr.write(USAGE);
    return 2;
  }
  try {
    if (!(await stat(dir)).isDirectory()) {
      process.stderr.write(`recording:verify: ${dir} is not a directory\n${USAGE}`);
      return 2;
    }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (error as Error).message;
    process.stderr.write(`recording:verify: ${dir} ${reason}\n${USAGE}`);
    return 2;
  }
  const report = await verifyArchive(dir);
  for (const note of report.notes) process.stdout.write(`NOTE ${note.path}: ${note.message}\n`);
  for (const problem of report.problems) process.stdout.write(`FAIL ${problem.path}: ${problem.message}\n`);
  process.stdout.write(`${plural(report.recordings, 'recording')} checked, ${plural(report.problems.length, 'problem')}\n`);
  return report.problems.length > 0 ? 1 : 0;
}

// exitCode rather than exit(): lets stdout drain when it is a pipe or a file.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`recording:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
