import { parseArgs, USAGE } from './args.js';
import { compareResults } from './compare.js';
import { runBench } from './run.js';

/** Entry point of `npm run bench -- ...`. */
async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const parsed = parseArgs(argv);
  if (parsed.mode === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (parsed.mode === 'compare') {
    return compareResults(parsed.files[0]!, parsed.files[1]!, parsed.threshold) > 0 ? 1 : 0;
  }
  const dir = await runBench(parsed.opts, `npm run bench --${argv.length > 0 ? ' ' + argv.join(' ') : ''}`);
  console.log(`results in ${dir}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
