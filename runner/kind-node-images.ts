/**
 * Which kind release goes with which node image. kind supports a node image
 * with the release that built it (and others on a best-effort basis); each
 * release's notes list its images by digest
 * (https://kind.sigs.k8s.io/docs/design/node-image, https://github.com/kubernetes-sigs/kind/releases).
 * One pairing is known to break: images built for kind v0.27.0 and later ship
 * containerd 2.x, whose config kind before v0.27.0 cannot read, so
 * `kind load docker-image` fails with "failed to detect containerd
 * snapshotter" after the cluster is up (kind issues #3853, #3871).
 */
import { Version, compareVersions, formatVersion, parseVersion } from "./versions";

/** The first kind release that can drive containerd 2.x node images. */
export const CONTAINERD2_KIND_RELEASE = "v0.27.0";

/**
 * Node image digests → the kind release whose notes list them. Only digests
 * copied from those notes; a digest not here is judged by its Kubernetes
 * version alone.
 */
export const RELEASE_OF_DIGEST: Readonly<Record<string, string>> = Object.freeze({
  // v0.33.0
  "sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5": "v0.33.0", // v1.37.0
  "sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed": "v0.33.0", // v1.36.4
  "sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0": "v0.33.0", // v1.35.8
  "sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d": "v0.33.0", // v1.34.11
  // v0.31.0 (its default image)
  "sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f": "v0.31.0", // v1.35.0
  // v0.29.0: the lab's default image is its v1.33.1
  "sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f": "v0.29.0", // v1.33.1
  "sha256:e3b2327e3a5ab8c76f5ece68936e4cafaa82edf58486b769727ab0b3b97a5b0d": "v0.29.0", // v1.32.5
  "sha256:b94a3a6c06198d17f59cca8c6f486236fa05e2fb359cbd75dabbfc348a10b211": "v0.29.0", // v1.31.9
  "sha256:397209b3d947d154f6641f2d0ce8d473732bd91c87d9575ade99049aa33cd648": "v0.29.0", // v1.30.13
  // v0.28.0 (its default image)
  "sha256:8d866994839cd096b3590681c55a6fa4a071fdaf33be7b9660e5697d2ed13002": "v0.28.0", // v1.33.1
  // v0.25.0 (containerd 1.7)
  "sha256:18fbefc20a7113353c7b75b5c869d7145a6abd6269154825872dc59c1329912e": "v0.25.0", // v1.31.2
  "sha256:b6d08db72079ba5ae1f4a88a09025c0a904af3b52387643c285442afb05ab994": "v0.25.0", // v1.30.6
  "sha256:3b2d8c31753e6c8069d4fc4517264cd20e86fd36220671fb7d0a5855103aa84b": "v0.25.0", // v1.29.10
  "sha256:2458b423d635d7b01637cac2d6de7e1c1dca1148a2ba2e90975e214ca849e7cb": "v0.25.0", // v1.32.0
  // v0.23.0 (its default image)
  "sha256:047357ac0cfea04663786a612ba1eaba9702bef25227a794b52890dd8bcd692e": "v0.23.0", // v1.30.0
});

/** Kubernetes minors whose kind node images all ship containerd 2.x (the first such images came with kind v0.28.0). */
const FIRST_CONTAINERD2_ONLY_KUBERNETES = { major: 1, minor: 33 };

/** What the node image reference tells: its Kubernetes version (from the tag) and, by digest, the kind release that built it. */
export interface NodeImageFacts {
  readonly image: string;
  /** The reference without the digest, e.g. `kindest/node:v1.33.1`. */
  readonly shortName: string;
  readonly kubernetes: Version | undefined;
  /** The kind release whose notes list the digest, when known. */
  readonly builtFor: string | undefined;
}

export function nodeImageFacts(image: string): NodeImageFacts {
  const [reference, digest] = image.split("@");
  const tag = reference.includes(":") ? reference.slice(reference.lastIndexOf(":") + 1) : "";
  return { image, shortName: reference, kubernetes: parseVersion(tag), builtFor: digest === undefined ? undefined : RELEASE_OF_DIGEST[digest] };
}

/** The verdict on running `image` with kind `kind`: ok, and one line to print. */
export interface KindImageVerdict {
  readonly ok: boolean;
  /** For a pass, a note appended to kind's version line; for a failure, the reason (the caller adds the fix). */
  readonly message: string;
  /** The kind release to install when it fails (the image's own release when known). */
  readonly suggestedKind: string;
}

/** Judges kind `kindVersion` against node image `image`; `fallbackKind` is suggested when the image's release is unknown. */
export function judgeKindForNodeImage(kindVersion: Version, image: string, fallbackKind: string): KindImageVerdict {
  const facts = nodeImageFacts(image);
  const suggestedKind = facts.builtFor ?? fallbackKind;
  const containerd2 = parseVersion(CONTAINERD2_KIND_RELEASE) as Version;
  const builtFor = facts.builtFor === undefined ? undefined : (parseVersion(facts.builtFor) as Version);
  const needsContainerd2 =
    builtFor !== undefined
      ? compareVersions(builtFor, containerd2) >= 0
      : facts.kubernetes !== undefined &&
        (facts.kubernetes.major > FIRST_CONTAINERD2_ONLY_KUBERNETES.major ||
          (facts.kubernetes.major === FIRST_CONTAINERD2_ONLY_KUBERNETES.major && facts.kubernetes.minor >= FIRST_CONTAINERD2_ONLY_KUBERNETES.minor));
  const builtText = facts.builtFor === undefined ? "" : ` (built for kind ${facts.builtFor})`;
  if (needsContainerd2 && compareVersions(kindVersion, containerd2) < 0) {
    return {
      ok: false,
      suggestedKind,
      message: `kind ${formatVersion(kindVersion)} cannot run the node image ${facts.shortName}${builtText}: it ships containerd 2.x, which kind before ${CONTAINERD2_KIND_RELEASE} cannot load images into ("failed to detect containerd snapshotter")`,
    };
  }
  if (facts.builtFor === undefined) {
    return { ok: true, suggestedKind, message: `node image ${facts.shortName} is not in the kind release notes svclab knows; kind guarantees only the images listed for its own release` };
  }
  if (compareVersions(kindVersion, builtFor as Version) === 0) {
    return { ok: true, suggestedKind, message: `node image ${facts.shortName} is built for this release` };
  }
  return { ok: true, suggestedKind, message: `node image ${facts.shortName}${builtText}: kind supports other releases' images on a best-effort basis` };
}
