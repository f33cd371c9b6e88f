/**
 * What the browser downloads before the first screen can show: the entry chunk, every chunk it
 * imports statically, and the first screen's own lazy chunk with its static imports, read from
 * Vite's build manifest. Sizes are gzip -9 (what a server's compression roughly gives).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const distDir = fileURLToPath(new URL('../dist', import.meta.url));

/** The most JavaScript (gzipped) the first screen may need (the budget). */
export const budgetBytes = 170 * 1024;

/** The screens a visitor can land on first, by their page module. */
export const firstScreens = {
  'sign-in': 'src/features/auth/sign-in-page.tsx',
  dashboard: 'src/features/dashboard/dashboard-page.tsx',
} as const;

type ManifestChunk = { file: string; imports?: string[]; isEntry?: boolean };
type Manifest = Record<string, ManifestChunk>;

export function readManifest(dir = distDir): Manifest {
  return JSON.parse(readFileSync(join(dir, '.vite', 'manifest.json'), 'utf8')) as Manifest;
}

/** The files of `keys` and everything they import statically, each once. */
function withStaticImports(manifest: Manifest, keys: string[]): string[] {
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    const chunk = manifest[key];
    if (!chunk) throw new Error(`the build manifest has no chunk "${key}"`);
    seen.add(key);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const key of keys) visit(key);
  return [...seen].map((key) => manifest[key]?.file ?? key).filter((file) => file.endsWith('.js'));
}

export type ScreenSize = { screen: string; files: { file: string; gzipBytes: number }[]; gzipBytes: number };

export function firstScreenSizes(dir = distDir): ScreenSize[] {
  const manifest = readManifest(dir);
  const entry = Object.keys(manifest).find((key) => manifest[key]?.isEntry);
  if (!entry) throw new Error('the build manifest has no entry chunk');
  return Object.entries(firstScreens).map(([screen, page]) => {
    const files = withStaticImports(manifest, [entry, page]).map((file) => ({
      file,
      gzipBytes: gzipSync(readFileSync(join(dir, file)), { level: 9 }).length,
    }));
    return { screen, files, gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0) };
  });
}
