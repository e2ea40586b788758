import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The system binaries some suites need, with the Debian package that brings each. */
export const SYSTEM_TOOLS = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  'redis-server': 'redis-server',
} as const;

/** A binary some suites need. */
export type SystemTool = keyof typeof SYSTEM_TOOLS;

/**
 * Set by `.ci/run`: every system binary is required there, and a missing one fails the run
 * instead of skipping its suites.
 */
export const TOOLS_REQUIRED = process.env.FIREBREAK_SYSTEM_TOOLS === 'required';

/** The path of `tool` on the PATH, or `undefined`. */
export function findTool(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, tool);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The one line that says what the missing tools of one package skip, and how to get them. */
export function missingToolLine(tools: readonly [SystemTool, ...SystemTool[]]): string {
  const pkg = SYSTEM_TOOLS[tools[0]];
  return `skipping the tests that need ${tools.join(' and ')}: install Debian's ${pkg} package (apt-get install -y ${pkg}); .ci/run installs it and requires it`;
}

/**
 * Whether the suites that need `tool` can run. Missing, they are skipped (the global setup has
 * printed one line naming the package), except under `.ci/run`, where this throws and the suite
 * fails.
 */
export function hasTool(tool: SystemTool): boolean {
  if (findTool(tool) !== undefined) return true;
  if (TOOLS_REQUIRED) throw new Error(`${tool} is required under .ci/run but is not on the PATH (Debian package ${SYSTEM_TOOLS[tool]})`);
  return false;
}

/** The path of `tool`; throws when it is missing (call it only inside a suite gated by {@link hasTool}). */
export function requireTool(tool: SystemTool): string {
  const path = findTool(tool);
  if (path === undefined) throw new Error(`${tool} is not installed: apt-get install -y ${SYSTEM_TOOLS[tool]}`);
  return path;
}
