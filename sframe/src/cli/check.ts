/**
 * npm run sframe:check -- FILE
 * Checks an SFrame implementation's test vectors (RFC 9605 JSON layout) against ours:
 * one line per failure, then "N passed, N failed"; exit 1 on any failure, 2 on bad input.
 */
import { readFileSync } from 'node:fs';
import { checkVectors, parseVectorFile } from '../vectors.js';

async function main(): Promise<number> {
  const file = process.argv[2];
  if (!file || process.argv.length > 3) {
    console.error('usage: npm run sframe:check -- FILE   (a JSON vector file in the RFC 9605 layout)');
    return 2;
  }
  let vectors;
  try {
    vectors = parseVectorFile(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`sframe:check: cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  const results = await checkVectors(vectors);
  let failed = 0;
  for (const result of results) {
    if (result.failures.length === 0) continue;
    failed += 1;
    process.stdout.write(`FAIL ${result.name}: ${result.failures.join('; ')}\n`);
  }
  process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('sframe:check failed:', error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
