/**
 * `down` removes the images the lab built: the Docker provider's delete of a
 * built image is a no-op, so every `svclab-demo:<hash>` ever built would stay.
 * All tags of the built repositories go (older builds too); images the lab
 * only pulled stay and are listed as kept.
 */
import { CommandRunner, firstLine } from "./exec";

export type ImageFinding = { readonly status: "gone" | "removed" | "left" | "unknown"; readonly text: string };

/** The repository of an image reference: `svclab-demo:abc` → `svclab-demo`, `reg:5000/x@sha256:…` → `reg:5000/x`. */
export function repositoryOf(reference: string): string {
  const withoutDigest = reference.split("@")[0];
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  return colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** Removes every local tag of the repositories of `builtImages`; one finding per repository. */
export async function removeBuiltImages(builtImages: readonly string[], run: CommandRunner, env: NodeJS.ProcessEnv): Promise<ImageFinding[]> {
  const findings: ImageFinding[] = [];
  for (const repository of [...new Set(builtImages.map(repositoryOf))]) {
    const listed = await run("docker", ["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", repository], { env });
    if (listed.outcome !== "ok") {
      findings.push({ status: "unknown", text: `images ${repository}:*: \`docker image ls\` failed (${firstLine(listed.stderr) || listed.outcome})` });
      continue;
    }
    const tags = listed.stdout.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0 && !line.endsWith(":<none>"));
    if (tags.length === 0) {
      findings.push({ status: "gone", text: `no image ${repository}:* built by the lab` });
      continue;
    }
    const removed = await run("docker", ["image", "rm", ...tags], { env, timeoutMs: 60_000 });
    findings.push(
      removed.outcome === "ok"
        ? { status: "removed", text: `image(s) the lab built have been removed: ${tags.join(", ")}` }
        : { status: "left", text: `image(s) ${tags.join(", ")} are still there and \`docker image rm\` failed (${firstLine(removed.stderr) || removed.outcome}); run: docker image rm ${tags.join(" ")}` },
    );
  }
  return findings;
}
