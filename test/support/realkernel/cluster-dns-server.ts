/**
 * A DNS server answering what CoreDNS's kubernetes plugin answers for the
 * captured Services, over real UDP and TCP on port 53 of the DNS pod:
 * `<svc>.<ns>.svc.<domain>` → the ClusterIP; headless → the ready endpoint
 * addresses (NXDOMAIN with none); ExternalName → a CNAME (followed when it
 * points into the cluster); `_<port>._tcp.<svc>...` → SRV. AAAA for a known
 * name is an empty answer (an IPv4-only cluster). Every other name is
 * NXDOMAIN: nothing is ever forwarded to another resolver.
 * https://github.com/kubernetes/dns/blob/master/docs/specification.md
 */
import * as dgram from "node:dgram";
import * as net from "node:net";
import type { CapturedObjects } from "./capture";
import { readyAddresses, type ObjectsFile } from "./objects-file";

const TYPE = { A: 1, CNAME: 5, AAAA: 28, SRV: 33 } as const;
const NXDOMAIN = 3;
/** CoreDNS's kubernetes plugin default TTL. */
const TTL = 5;
const MAX_CNAME_HOPS = 8;

interface Question {
  readonly name: string;
  readonly type: number;
  /** Offset just past the question section. */
  readonly end: number;
}

interface AnswerRecord {
  readonly owner: string;
  readonly type: number;
  readonly rdata: Buffer;
}

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, "").split(".").filter((label) => label !== "");
  return Buffer.concat([...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "ascii")])), Buffer.from([0])]);
}

function readQuestion(query: Buffer): Question | undefined {
  if (query.length < 17 || query.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length && query[offset] !== 0) {
    const length = query[offset];
    if (length > 63) return undefined; // queries carry no compression pointers
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString("ascii"));
    offset += 1 + length;
  }
  if (offset + 5 > query.length) return undefined;
  return { name: labels.join(".").toLowerCase(), type: query.readUInt16BE(offset + 1), end: offset + 5 };
}

function encodeRecord(question: Question, record: AnswerRecord): Buffer {
  // The question's own name is written as a pointer to it (offset 12), others in full.
  const owner = record.owner === question.name ? Buffer.from([0xc0, 0x0c]) : encodeName(record.owner);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(record.type, 0);
  fixed.writeUInt16BE(1, 2); // class IN
  fixed.writeUInt32BE(TTL, 4);
  fixed.writeUInt16BE(record.rdata.length, 8);
  return Buffer.concat([owner, fixed, record.rdata]);
}

function aRecord(owner: string, address: string): AnswerRecord {
  return { owner, type: TYPE.A, rdata: Buffer.from(address.split(".").map(Number)) };
}

/** The records for one question, or undefined for NXDOMAIN. */
export function answer(objects: CapturedObjects, name: string, type: number, domain = "cluster.local", hops = 0): AnswerRecord[] | undefined {
  const srv = /^_([a-z0-9-]+)\._tcp\.(.+)$/.exec(name);
  const serviceName = srv ? srv[2] : name;
  const match = new RegExp(`^([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.${domain.replace(/\./g, "\\.")}$`).exec(serviceName);
  if (match === null) return undefined;
  const [, svcName, namespace] = match;
  const service = namespace === objects.namespace ? objects.services.find((s) => s.metadata?.name === svcName) : undefined;
  if (service === undefined) return undefined;
  const spec = service.spec ?? {};
  if (srv) {
    const port = (spec.ports ?? []).find((p: { name?: string }) => p.name === srv[1]);
    if (port === undefined || spec.type === "ExternalName") return undefined;
    const record = (target: string, portNumber: number): AnswerRecord => {
      const fixed = Buffer.alloc(6);
      fixed.writeUInt16BE(0, 0);
      fixed.writeUInt16BE(100, 2);
      fixed.writeUInt16BE(portNumber, 4);
      return { owner: name, type: TYPE.SRV, rdata: Buffer.concat([fixed, encodeName(target)]) };
    };
    if (spec.clusterIP !== "None") return type === TYPE.SRV ? [record(serviceName, port.port)] : [];
    const addresses = readyAddresses(objects, svcName);
    if (addresses.length === 0) return undefined;
    return type === TYPE.SRV ? addresses.map((a) => record(`${a.replace(/\./g, "-")}.${serviceName}`, port.targetPort)) : [];
  }
  if (spec.type === "ExternalName") {
    const target = String(spec.externalName ?? "").toLowerCase().replace(/\.$/, "");
    const cname: AnswerRecord = { owner: name, type: TYPE.CNAME, rdata: encodeName(target) };
    if (type === TYPE.CNAME || hops >= MAX_CNAME_HOPS) return [cname];
    return [cname, ...(answer(objects, target, type, domain, hops + 1) ?? [])];
  }
  if (type !== TYPE.A) return [];
  if (spec.clusterIP === "None") {
    const addresses = readyAddresses(objects, svcName);
    return addresses.length > 0 ? addresses.map((a) => aRecord(name, a)) : undefined;
  }
  return [aRecord(name, spec.clusterIP)];
}

/** The response to one query; undefined for a packet that is not a single-question query. */
export function respond(objects: CapturedObjects, query: Buffer): Buffer | undefined {
  const question = readQuestion(query);
  if (question === undefined || (query[2] & 0x80) !== 0) return undefined;
  const records = answer(objects, question.name, question.type);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  // QR, opcode 0, AA, the query's RD, RA; RCODE NXDOMAIN when the name does not exist.
  header.writeUInt16BE(0x8480 | (query[2] & 0x01) << 8 | (records === undefined ? NXDOMAIN : 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records?.length ?? 0, 6);
  return Buffer.concat([header, query.subarray(12, question.end), ...(records ?? []).map((r) => encodeRecord(question, r))]);
}

/** A running DNS server. */
export interface RunningDns {
  /** The port bound, UDP and TCP alike. */
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `objects` on `host`:`port` over UDP and TCP (RFC 1035 4.2); port 0 picks one free for UDP, and TCP takes the same. */
export async function startClusterDns(objects: ObjectsFile, host: string, port: number): Promise<RunningDns> {
  const udp = dgram.createSocket("udp4");
  udp.on("message", (query, peer) => {
    const reply = respond(objects.current(), query);
    if (reply !== undefined) udp.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(port, host, () => resolve());
  });
  const tcp = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        const reply = respond(objects.current(), buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
        if (reply === undefined) continue;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(reply.length, 0);
        socket.write(Buffer.concat([prefix, reply]));
      }
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen({ host, port: udp.address().port }, () => resolve());
  });
  return {
    port: udp.address().port,
    close: () =>
      new Promise<void>((resolve) => {
        udp.close(() => tcp.close(() => resolve()));
      }),
  };
}
