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

/** Third octet of each address family inside a slice. */
const OCTET = { node: 0, podIP: 1, podWire: 2, clusterIP: 3, loadBalancer: 4, sink: 5 } as const;

/** One world's address plan; addresses are handed out in order and never reused. */
export class AddressPlan {
  private readonly next = new Map<keyof typeof OCTET, number>();

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
  get rejectAddress(): string { return `127.${this.slice}.${OCTET.sink}.1`; }
  /** A silent listener lives here: a dial to it times out, as kube-proxy's DROP does. */
  get dropAddress(): string { return `127.${this.slice}.${OCTET.sink}.2`; }

  /** A spare address of the slice for one-off checks (e.g. whether low ports can be bound). */
  get scratchAddress(): string { return `127.${this.slice}.${OCTET.sink}.3`; }

  /** Frees the slice for other worlds. */
  release(): Promise<void> {
    return new Promise((resolve) => this.claim.close(() => resolve()));
  }

  private take(kind: keyof typeof OCTET): string {
    const host = (this.next.get(kind) ?? 10);
    if (host > 254) throw new Error(`address plan 127.${this.slice}.${OCTET[kind]}.0/24 is exhausted (${kind})`);
    this.next.set(kind, host + 1);
    return `127.${this.slice}.${OCTET[kind]}.${host}`;
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

/** True for an IPv4 address in 127.0.0.0/8: the only place a stand-in ever dials. */
export function isLoopback(address: string): boolean {
  return net.isIPv4(address) && address.startsWith("127.");
}
