/**
 * Proves that a constructor which threw registered nothing: registrations are
 * asynchronous, so register one sentinel afterwards, wait until the engine has
 * it, and then only the sentinel may be on record.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockWorld, promiseOf } from "../support/pulumi-mocks";

const SENTINEL_TYPE = "svclab:test:Sentinel";
let sentinels = 0;

/** Resolves with the types of everything registered besides the sentinel. */
export async function registeredBesidesSentinel(world: MockWorld): Promise<string[]> {
  const sentinel = new pulumi.ComponentResource(SENTINEL_TYPE, `sentinel-${++sentinels}`);
  await promiseOf(sentinel.urn);
  return world.resources.filter((r) => r.type !== SENTINEL_TYPE).map((r) => `${r.type} ${r.name}`);
}

/** The message of what `construct` throws (fails the test when it does not throw). */
export function messageThrownBy(construct: () => unknown): string {
  try {
    construct();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the constructor to throw, but it returned");
}
