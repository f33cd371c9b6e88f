import { describe, expect, it } from 'vitest';
import { budgetBytes, firstScreenSizes } from '../scripts/first-screen.ts';

// The built SPA (turbo builds it before these tests): a route that grows past the budget fails here.
describe('the first screen stays within the JavaScript budget', () => {
  it.each(firstScreenSizes())('$screen needs at most 170 KB of gzipped JavaScript', ({ files, gzipBytes }) => {
    expect(files.length).toBeGreaterThan(1); // the entry and the page's own chunk, at least
    expect(gzipBytes).toBeLessThanOrEqual(budgetBytes);
  });
});
