/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP, port 0) for the resolve
 * tests: it answers A, AAAA, CNAME and SRV questions from a fixed table, NXDOMAIN
 * for names it does not know, and never answers names in `silent`.
 * Only the parts of RFC 1035 a stub resolver's query needs are implemented.
 */
import * as dgram from "node:dgram";
import type { Cleanup } from "./helpers";

const TYPE_A = 1;
const TYPE_CNAME = 5;
const TYPE_AAAA = 28;
const TYPE_SRV = 33;

export interface FakeZone {
  readonly a?: Readonly<Record<string, readonly string[]>>;
  /** IPv6 addresses, fully written out (eight groups), e.g. fd00:10:244:1:0:0:0:5. */
  readonly aaaa?: Readonly<Record<string, readonly string[]>>;
  readonly cname?: Readonly<Record<string, string>>;
  readonly srv?: Readonly<Record<string, readonly { name: string; port: number; priority: number; weight: number }[]>>;
  /** Names the server receives but never answers, to exercise time-outs. */
  readonly silent?: readonly string[];
  /** Called with each question's name as it arrives (to assert that none was asked). */
  readonly onQuery?: (name: string) => void;
}

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, "").split(".").filter((label) => label !== "");
  return Buffer.concat([...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])), Buffer.from([0])]);
}

function readQuestion(query: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let offset = 12;
  while (query[offset] !== 0) {
    const length = query[offset];
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString("ascii"));
    offset += 1 + length;
  }
  return { name: labels.join(".").toLowerCase(), type: query.readUInt16BE(offset + 1), end: offset + 5 };
}

function record(type: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0); // a pointer to the question's name
  fixed.writeUInt16BE(type, 2);
  fixed.writeUInt16BE(1, 4); // class IN
  fixed.writeUInt32BE(30, 6); // TTL
  fixed.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([fixed, rdata]);
}

function answersFor(zone: FakeZone, name: string, type: number): Buffer[] | null {
  const a = zone.a?.[name];
  const cname = zone.cname?.[name];
  const srv = zone.srv?.[name];
  const aaaa = zone.aaaa?.[name];
  if (a === undefined && aaaa === undefined && cname === undefined && srv === undefined) return null;
  if (type === TYPE_AAAA && aaaa !== undefined) {
    return aaaa.map((address) => record(TYPE_AAAA, Buffer.concat(address.split(":").map((group) => {
      const bytes = Buffer.alloc(2);
      bytes.writeUInt16BE(parseInt(group, 16), 0);
      return bytes;
    }))));
  }
  if (type === TYPE_A && a !== undefined) return a.map((address) => record(TYPE_A, Buffer.from(address.split(".").map(Number))));
  if (type === TYPE_CNAME && cname !== undefined) return [record(TYPE_CNAME, encodeName(cname))];
  if (type === TYPE_SRV && srv !== undefined) {
    return srv.map((entry) => {
      const fixed = Buffer.alloc(6);
      fixed.writeUInt16BE(entry.priority, 0);
      fixed.writeUInt16BE(entry.weight, 2);
      fixed.writeUInt16BE(entry.port, 4);
      return record(TYPE_SRV, Buffer.concat([fixed, encodeName(entry.name)]));
    });
  }
  return [];
}

/** Starts the server; resolves with its `"127.0.0.1:port"` address for `Resolver.setServers`. */
export async function startFakeDns(cleanup: Cleanup, zone: FakeZone): Promise<string> {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (query, peer) => {
    const question = readQuestion(query);
    zone.onQuery?.(question.name);
    if (zone.silent?.includes(question.name) === true) return;
    const answers = answersFor(zone, question.name, question.type);
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2); // the query's id
    // QR, AA, RD and RA set; RCODE 3 (NXDOMAIN) when the name does not exist.
    header.writeUInt16BE(0x8580 | (answers === null ? 3 : 0), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers?.length ?? 0, 6);
    socket.send(Buffer.concat([header, query.subarray(12, question.end), ...(answers ?? [])]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  cleanup.add(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return `127.0.0.1:${socket.address().port}`;
}
