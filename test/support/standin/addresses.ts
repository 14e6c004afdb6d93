/**
 * Address plan of a stand-in world: every world owns one /16 slice of
 * 127.0.0.0/8 (127.<slice>.x.y), so worlds in parallel jest workers never
 * share an address. Linux routes the whole of 127/8 to the loopback device,
 * so any of these addresses can be bound without configuration.
 */
import * as net from "node:net";

/** The slice byte is picked in this range; 127.0.x.x (and so 127.0.0.1) is never used. */
export const SLICE_MIN = 10;
/** Upper bound (inclusive) of the slice byte. */
export const SLICE_MAX = 250;
/** Port of the claim listener that marks a slice as taken across processes. */
const CLAIM_PORT = 65000;
/** Bounded number of random picks before giving up on finding a free slice. */
const CLAIM_ATTEMPTS = 40;

/**
 * Third-octet blocks (first, last) of each kind of address inside a slice;
 * every block holds hosts .1–.254. Several blocks per kind lift the plan well
 * past what a world may hold ({@link STANDIN_LIMITS}): one /24 of ClusterIPs
 * used to stop a world near 320 Services.
 */
const BLOCKS = {
  node: [0, 0],
  podIP: [16, 19],
  podWire: [20, 23],
  clusterIP: [32, 39],
  loadBalancer: [40, 47],
} as const satisfies Record<string, readonly [number, number]>;
type AddressKind = keyof typeof BLOCKS;
/** The block of the REJECT and DROP sinks and the scratch address. */
const SINK_BLOCK = 5;
const HOSTS_PER_BLOCK = 254;

/** How many addresses of each kind one world can hand out. */
export const ADDRESS_CAPACITY: Readonly<Record<AddressKind, number>> = Object.fromEntries(
  Object.entries(BLOCKS).map(([kind, [first, last]]) => [kind, (last - first + 1) * HOSTS_PER_BLOCK]),
) as Record<AddressKind, number>;

/** One world's address plan; addresses are handed out in order and never reused. */
export class AddressPlan {
  private readonly taken = new Map<AddressKind, number>();

  /**
   * @param slice second octet of every address (SLICE_MIN–SLICE_MAX)
   * @param claim the listener that holds the slice; closed by release()
   */
  constructor(readonly slice: number, private readonly claim: net.Server) {}

  /** A node's InternalIP. */
  nodeIP(): string { return this.take("node"); }
  /** The pod IP the API reports (what the cluster routes to the pod). */
  podIP(): string { return this.take("podIP"); }
  /**
   * The address the pod's process really binds. It differs from the pod IP so
   * the pod IP itself can play the host's view of the pod network (a
   * blackhole) while the emulated data plane routes pod IP → this address.
   */
  podWire(): string { return this.take("podWire"); }
  /** A Service's ClusterIP. */
  clusterIP(): string { return this.take("clusterIP"); }
  /** A LoadBalancer ingress IP. */
  loadBalancerIP(): string { return this.take("loadBalancer"); }
  /** Nothing ever listens here: a dial to it is refused, as kube-proxy's REJECT is. */
  get rejectAddress(): string { return `127.${this.slice}.${SINK_BLOCK}.1`; }
  /** A silent listener lives here: a dial to it times out, as kube-proxy's DROP does. */
  get dropAddress(): string { return `127.${this.slice}.${SINK_BLOCK}.2`; }

  /** A spare address of the slice for one-off checks (e.g. whether low ports can be bound). */
  get scratchAddress(): string { return `127.${this.slice}.${SINK_BLOCK}.3`; }

  /** Frees the slice for other worlds. */
  release(): Promise<void> {
    return new Promise((resolve) => this.claim.close(() => resolve()));
  }

  private take(kind: AddressKind): string {
    const index = this.taken.get(kind) ?? 0;
    const [first, last] = BLOCKS[kind];
    if (index >= ADDRESS_CAPACITY[kind]) {
      throw new Error(`address plan 127.${this.slice}.${first}.0–127.${this.slice}.${last}.255 is exhausted: all ${ADDRESS_CAPACITY[kind]} ${kind} addresses are taken`);
    }
    this.taken.set(kind, index + 1);
    return `127.${this.slice}.${first + Math.floor(index / HOSTS_PER_BLOCK)}.${1 + (index % HOSTS_PER_BLOCK)}`;
  }
}

/**
 * Claims a random free slice. The claim is a listener on 127.<slice>.255.254:65000:
 * binding it fails with EADDRINUSE when another world (in any process) holds the slice.
 */
export async function claimAddressPlan(): Promise<AddressPlan> {
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const slice = SLICE_MIN + Math.floor(Math.random() * (SLICE_MAX - SLICE_MIN + 1));
    const claim = await tryListen(`127.${slice}.255.254`, CLAIM_PORT);
    if (claim) return new AddressPlan(slice, claim);
  }
  throw new Error(`no free 127.<slice>.0.0/16 loopback slice after ${CLAIM_ATTEMPTS} random picks`);
}

function tryListen(host: string, port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once("error", () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

/**
 * The IPv6 address a dual-stack world gives a pod: its IPv4 pod IP,
 * IPv4-mapped (`::ffff:127.10.16.1`), written as URLs write it
 * (`::ffff:7f0a:1001`, what an agent sees in a `/dial` target). ::1 is the
 * only true IPv6 loopback address, one for all; a mapped address is an IPv6
 * literal of its own per pod, and a connection to it lands on 127/8 (the
 * network guard allows exactly ::ffff:127.0.0.0/104), so it reaches what
 * the pod's IPv4 address reaches.
 */
export function mappedIPv6(ipv4: string): string {
  if (!isLoopback(ipv4)) throw new Error(`mappedIPv6: ${ipv4} is not in 127.0.0.0/8; allowed: a stand-in loopback address`);
  return new URL(`http://[::ffff:${ipv4}]/`).hostname.slice(1, -1);
}

/** True for an IPv4 address in 127.0.0.0/8: the only place a stand-in ever dials. */
export function isLoopback(address: string): boolean {
  return net.isIPv4(address) && address.startsWith("127.");
}
