/**
 * `vX.Y.Z[-pre]` versions as kind and the Pulumi CLI print them, compared the
 * semver way: a pre-release (`v0.27.0-alpha`) comes before its release.
 */

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The pre-release part after `-`, or "" for a release. */
  readonly prerelease: string;
}

/** The first `X.Y.Z` (with an optional `v` and `-pre`) in `text`, or `undefined`. */
export function parseVersion(text: string): Version | undefined {
  const match = /v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?/.exec(text);
  return match === null ? undefined : { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease: match[4] ?? "" };
}

/** Negative when `a` comes before `b`, 0 when equal, positive after. Pre-releases compare as strings. */
export function compareVersions(a: Version, b: Version): number {
  for (const key of ["major", "minor", "patch"] as const) {
    if (a[key] !== b[key]) {
      return a[key] - b[key];
    }
  }
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === "") return 1;
  if (b.prerelease === "") return -1;
  return a.prerelease < b.prerelease ? -1 : 1;
}

/** `v0.29.0`, `v0.27.0-alpha`. */
export function formatVersion(version: Version): string {
  return `v${version.major}.${version.minor}.${version.patch}${version.prerelease === "" ? "" : `-${version.prerelease}`}`;
}
