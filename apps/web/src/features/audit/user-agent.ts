/**
 * A browser's User-Agent header in a few words for the audit tables ("Chrome 140 on Linux"); the
 * tables keep the full header in a title attribute. Unknown agents (scripts, tools) are cut short.
 */

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
const browsers: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/HeadlessChrome\/(\d+)/, 'HeadlessChrome'],
  [/(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
  [/(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/Version\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];

const systems: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Windows/, 'Windows'],
  [/CrOS/, 'ChromeOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

const maxUnknown = 32;

export function shortUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'unknown';
  const system = systems.find(([pattern]) => pattern.test(userAgent))?.[1];
  for (const [pattern, name] of browsers) {
    const version = pattern.exec(userAgent)?.[1];
    if (version) return system ? `${name} ${version} on ${system}` : `${name} ${version}`;
  }
  // A tool's agent ("curl/8.5.0", "node"): its first word, or the start of it.
  const first = userAgent.split(' ')[0] ?? userAgent;
  return first.length > maxUnknown ? `${first.slice(0, maxUnknown)}…` : first;
}
