import type { ServiceSummary } from "../../components";
import {
  SET_BY_EXISTING_CLUSTER,
  apiProxyUrls,
  exposureNotes,
  localhostUrls,
  networkSetting,
  nodePortUrls,
  serviceOutputs,
  serviceSelectionNotes,
} from "../../stacks/outputs";
import { FAKE_NODES } from "./fixtures";

const services: Record<string, ServiceSummary> = {
  backend: { type: "ClusterIP", clusterIP: "10.96.0.10", port: 80 },
  "frontend-nodeport": { type: "NodePort", clusterIP: "10.96.0.11", port: 80, nodePort: 30080 },
  "frontend-lb": { type: "LoadBalancer", clusterIP: "10.96.0.12", port: 80, nodePort: 31000, loadBalancerAddress: "172.18.0.100" },
};

test("a NodePort URL is listed on every node, the control-plane included, for each Service with a nodePort", () => {
  expect(nodePortUrls(FAKE_NODES, services)).toEqual({
    "frontend-nodeport": ["http://172.18.0.2:30080", "http://172.18.0.3:30080", "http://172.18.0.4:30080"],
    "frontend-lb": ["http://172.18.0.2:31000", "http://172.18.0.3:31000", "http://172.18.0.4:31000"],
  });
});

test("the services output shows every field of every Service, null where the catalog's summary leaves one out", () => {
  expect(serviceOutputs({ ...services, "backend-external": { type: "ExternalName", port: 80 } })).toStrictEqual({
    backend: { type: "ClusterIP", clusterIP: "10.96.0.10", port: 80, nodePort: null, loadBalancerAddress: null },
    "frontend-nodeport": { type: "NodePort", clusterIP: "10.96.0.11", port: 80, nodePort: 30080, loadBalancerAddress: null },
    "frontend-lb": { type: "LoadBalancer", clusterIP: "10.96.0.12", port: 80, nodePort: 31000, loadBalancerAddress: "172.18.0.100" },
    "backend-external": { type: "ExternalName", clusterIP: null, port: 80, nodePort: null, loadBalancerAddress: null },
  });
});

test("an IPv6 node address is bracketed in its NodePort URL", () => {
  const nodes = [{ name: "svclab-control-plane", role: "control-plane" as const, internalIP: "fc00:f853:ccd:e793::2" }];
  expect(nodePortUrls(nodes, services)["frontend-nodeport"]).toEqual(["http://[fc00:f853:ccd:e793::2]:30080"]);
});

test("the kind network settings are shown as given; an existing cluster's are not svclab's to show", () => {
  expect(networkSetting("kind", "nftables")).toBe("nftables");
  expect(networkSetting("existing", "iptables")).toBe(SET_BY_EXISTING_CLUSTER);
});

test("without known nodes there are no NodePort URLs", () => {
  expect(nodePortUrls([], services)).toEqual({});
});

test("localhost URLs are keyed by the Service behind each mapped nodePort", () => {
  expect(
    localhostUrls(
      [
        { listenAddress: "127.0.0.1", hostPort: 8080, nodePort: 30080 },
        { listenAddress: "0.0.0.0", hostPort: 9000, nodePort: 30080 },
        { listenAddress: "127.0.0.1", hostPort: 30099, nodePort: 30099 },
      ],
      services,
    ),
  ).toEqual({
    "frontend-nodeport": ["http://127.0.0.1:8080", "http://127.0.0.1:9000"],
    "nodePort-30099": ["http://127.0.0.1:30099"],
  });
});

test("API proxy URLs follow the kubectl proxy path with the named port", () => {
  expect(apiProxyUrls("svclab", ["backend", "frontend-lb"])).toEqual({
    backend: "http://localhost:8001/api/v1/namespaces/svclab/services/backend:http/proxy/",
    "frontend-lb": "http://localhost:8001/api/v1/namespaces/svclab/services/frontend-lb:http/proxy/",
  });
});

test("a mapping off loopback gets a loud warning; loopback ones do not", () => {
  expect(
    exposureNotes([
      { listenAddress: "127.0.0.1", hostPort: 8080, nodePort: 30080 },
      { listenAddress: "0.0.0.0", hostPort: 9000, nodePort: 30081 },
    ]),
  ).toEqual([
    "WARNING: host port 9000 listens on 0.0.0.0, not loopback: other machines on your network can reach nodePort 30081 of the lab",
  ]);
});

describe("serviceSelectionNotes", () => {
  test("warns when the backend Service the frontend calls is not created", () => {
    expect(serviceSelectionNotes(["nodeport", "loadbalancer"])).toEqual([
      'services leaves out "clusterip": there is no backend Service, so the frontend shows a DNS error for its backend call ' +
        "and backend-external (by default) is a CNAME to a name that does not exist",
    ]);
  });

  test("says nothing when the backend Service is there", () => {
    expect(serviceSelectionNotes(["clusterip", "nodeport"])).toEqual([]);
  });
});
