import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ipv4FromHostsFile } from "../../apps/src/hosts-file";

describe("ipv4FromHostsFile", () => {
  let directory = "";
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "svclab-hosts-"));
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  async function hostsFile(text: string): Promise<string> {
    const path = join(directory, "hosts");
    await writeFile(path, text);
    return path;
  }

  it("finds a name among the aliases, ignoring case, comments and IPv6 lines", async () => {
    const path = await hostsFile(
      ["# static table", "127.0.0.1\tlocalhost", "::1 localhost ip6-localhost", "127.0.1.1  box.example Box # me", ""].join("\n"),
    );
    expect(await ipv4FromHostsFile("box", path)).toEqual(["127.0.1.1"]);
    expect(await ipv4FromHostsFile("LOCALHOST.", path)).toEqual(["127.0.0.1"]);
  });

  it("returns nothing for a name the file does not list, or a file that does not exist", async () => {
    const path = await hostsFile("127.0.0.1 localhost\n# 127.0.0.5 commented-out\n");
    expect(await ipv4FromHostsFile("commented-out", path)).toEqual([]);
    expect(await ipv4FromHostsFile("localhost", join(directory, "missing"))).toEqual([]);
  });
});
