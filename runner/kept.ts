/**
 * What `down` leaves on purpose, said plainly after its checklist: state and
 * downloads that are the user's to keep or remove (README "Uninstall").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CLI_DIR_NAME, STATE_DIR_NAME } from "./pulumi";

export interface KeptInput {
  /** The checkout; `.pulumi-state/` and `.pulumi-cli/` are looked for there. */
  readonly projectDir?: string;
  /** Images the state shows the lab pulled (cloud-provider-kind). */
  readonly pulledImages: readonly string[];
  /** The kind node image, in kind mode. */
  readonly nodeImage?: string;
  /** True when the lab ran kind with cloud-provider-kind (its Envoy image is pulled per LoadBalancer). */
  readonly kindLab: boolean;
}

/** One line per thing that stays, each with the command that removes it. */
export function keptOnMachine(input: KeptInput): string[] {
  const lines: string[] = [];
  const has = (name: string) => input.projectDir !== undefined && fs.existsSync(path.join(input.projectDir, name));
  if (has(STATE_DIR_NAME)) {
    lines.push(`${STATE_DIR_NAME}/: the stack's history (the next \`lab\` starts from it); \`rm -rf ${STATE_DIR_NAME}\` forgets the lab`);
  }
  if (has(CLI_DIR_NAME)) {
    lines.push(`${CLI_DIR_NAME}/: the Pulumi CLI the lab installed; \`rm -rf ${CLI_DIR_NAME}\``);
  }
  lines.push("Pulumi's plugins (command, docker, kubernetes) in ~/.pulumi/plugins, shared by every Pulumi project: `pulumi plugin ls`, `pulumi plugin rm <kind> <name> <version>`");
  if (input.kindLab) {
    const images = [...(input.nodeImage === undefined ? ["kindest/node"] : [input.nodeImage]), ...input.pulledImages, "envoyproxy/envoy (pulled by cloud-provider-kind for LoadBalancers)"];
    lines.push(`downloaded images, reused by the next \`lab\`: ${images.join(", ")}; \`docker image ls\` shows them, \`docker image rm <image>\` removes one`);
  }
  return lines;
}
