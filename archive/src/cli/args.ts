/** What the archive CLIs share: `--data DIR` (else ARCHIVE_DATA_DIR), usage errors, exit codes. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  dataDir: string | null;
  positional: string[];
}

export function parseArgs(args: readonly string[]): ParsedArgs {
  let dataDir: string | null = null;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--data') {
      const value = args[++i];
      if (value === undefined || value.startsWith('-')) throw new UsageError('--data needs a directory');
      dataDir = value;
    } else if (arg.startsWith('--data=')) {
      dataDir = arg.slice('--data='.length);
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  return { dataDir, positional };
}

export const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Runs a CLI's main; exitCode rather than exit() lets stdout drain when it is a pipe or a file. */
export function runCli(name: string, usage: string, main: (args: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${name}: ${error.message}\n${usage}`);
      } else {
        process.stderr.write(`${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
      process.exitCode = 2;
    },
  );
}
