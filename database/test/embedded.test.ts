/**
 * The embedded server as root: PostgreSQL runs as the `postgres` user, which must pass through every
 * folder above its data. A clone in a `mktemp -d` folder or under /root is 0700.
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/embedded.ts';
import { withClient } from '../src/migrate.ts';
import { freePort } from '../src/testing.ts';

describe.skipIf(process.getuid?.() !== 0)('the embedded server run by root', () => {
  it('starts with its data below a 0700 folder, which it opens for passing through only', async () => {
    const privateDir = await mkdtemp(join(tmpdir(), 'mini-crm-private-')); // mkdtemp makes it 0700
    const dataDir = join(privateDir, 'nested', 'data');
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    expect((await stat(privateDir)).mode & 0o777).toBe(0o700);
    const lines: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), log: (line) => lines.push(line) });
    try {
      await withClient(server.url, (client) => client.query('SELECT 1'));
      expect((await stat(privateDir)).mode & 0o777).toBe(0o701); // enter, but not list or read
      expect(lines).toContain(`allowed the postgres user to pass through ${privateDir} (chmod o+x)`);
    } finally {
      await server.stop();
      await rm(privateDir, { recursive: true, force: true });
    }
  });
});
