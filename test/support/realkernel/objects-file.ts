/**
 * The API objects a world serves, in one JSON file the world rewrites when its
 * scenario changes; the API server and the DNS server (separate processes in
 * the world's namespaces) read it again whenever it changed.
 */
import * as fs from "node:fs";
import type { CapturedObjects } from "./capture";

/** Writes the objects atomically (a reader never sees half a file). */
export function writeObjectsFile(file: string, objects: CapturedObjects): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(objects));
  fs.renameSync(temporary, file);
}

/** Reads the objects file, again only when it changed since the last read. */
export class ObjectsFile {
  private cached: { key: string; objects: CapturedObjects } | undefined;

  constructor(readonly file: string) {}

  current(): CapturedObjects {
    const stat = fs.statSync(this.file);
    const key = `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    if (this.cached?.key !== key) this.cached = { key, objects: JSON.parse(fs.readFileSync(this.file, "utf8")) as CapturedObjects };
    return this.cached.objects;
  }
}

/** The addresses of a Service's endpoints that are ready (a missing condition means ready), from its EndpointSlices. */
export function readyAddresses(objects: CapturedObjects, service: string): string[] {
  return objects.endpointslices
    .filter((s) => s.metadata?.labels?.["kubernetes.io/service-name"] === service && s.metadata?.namespace === objects.namespace)
    .flatMap((s) => (s.endpoints ?? []) as { addresses: string[]; conditions?: { ready?: boolean } }[])
    .filter((e) => e.conditions?.ready !== false)
    .map((e) => e.addresses[0])
    .filter((a): a is string => typeof a === "string");
}
