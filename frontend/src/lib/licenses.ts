// The open-source components Mailroom ships, for Settings → About. The list is generated
// (scripts/licenses writes generated/licenses.json from the Go modules linked into the app
// and the npm packages its frontend bundles); a stale list fails `make test`.
import generated from '$lib/generated/licenses.json';

export interface Component {
  name: string;
  version: string;
  license: string;
}

export interface LicenseCount {
  license: string;
  count: number;
}

export const goModules: readonly Component[] = generated.go;
export const npmPackages: readonly Component[] = generated.npm;

/** How many components use each licence, most used first (then by name). */
export function licenseCounts(components: readonly Component[]): LicenseCount[] {
  const counts = new Map<string, number>();
  for (const c of components) counts.set(c.license, (counts.get(c.license) ?? 0) + 1);
  return [...counts]
    .map(([license, count]) => ({ license, count }))
    .sort((a, b) => b.count - a.count || a.license.localeCompare(b.license));
}
