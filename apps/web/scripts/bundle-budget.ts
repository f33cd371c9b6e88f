/**
 * `pnpm --filter @mini-crm/web budget` (after `pnpm build`): prints the gzipped JavaScript each
 * first screen needs against the 170 KB budget; exits 1 when one is over.
 */
import { budgetBytes, firstScreenSizes } from './first-screen.ts';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
let isOver = false;
for (const { screen, files, gzipBytes } of firstScreenSizes()) {
  isOver ||= gzipBytes > budgetBytes;
  console.log(`${screen}: ${kb(gzipBytes)} gzipped JavaScript (budget ${kb(budgetBytes)})`);
  for (const file of files) console.log(`  ${kb(file.gzipBytes).padStart(9)}  ${file.file}`);
}
process.exit(isOver ? 1 : 0);
