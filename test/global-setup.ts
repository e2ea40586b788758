import { findTool, missingToolLine, SYSTEM_TOOLS, TOOLS_REQUIRED, type SystemTool } from './helpers/system-tools.js';

/**
 * Runs once before the suites: one line for each missing system binary (its suites skip), or,
 * under `.ci/run`, a failed run.
 */
export default function checkSystemTools(): void {
  const missing = (Object.keys(SYSTEM_TOOLS) as SystemTool[]).filter((tool) => findTool(tool) === undefined);
  // Each vitest project runs the global setup: say it once per run.
  if (missing.length === 0 || process.env.FIREBREAK_TOOLS_REPORTED === '1') return;
  process.env.FIREBREAK_TOOLS_REPORTED = '1';
  if (TOOLS_REQUIRED) throw new Error(`.ci/run requires ${missing.join(', ')} on the PATH; install them with apt-get`);
  const packages = new Map<string, [SystemTool, ...SystemTool[]]>();
  for (const tool of missing) packages.set(SYSTEM_TOOLS[tool], [...(packages.get(SYSTEM_TOOLS[tool]) ?? []), tool] as [SystemTool, ...SystemTool[]]);
  for (const tools of packages.values()) console.warn(missingToolLine(tools));
}
