/**
 * The stack program (Pulumi.yaml `main`): read the config, create the lab,
 * export its flat outputs (docs/CONTRACTS.md, "Stack outputs").
 */
import { loadConfig } from "./config";
import { createLab } from "./lab";

const lab = createLab(loadConfig());

export const clusterMode = lab.clusterMode;
export const clusterName = lab.clusterName;
export const namespace = lab.namespace;
export const kubeconfig = lab.kubeconfig;
export const nodes = lab.nodes;
export const services = lab.services;
export const nodePortUrls = lab.nodePortUrls;
export const localhostUrls = lab.localhostUrls;
export const apiProxyUrls = lab.apiProxyUrls;
export const loadBalancer = lab.loadBalancer;
export const ipFamily = lab.ipFamily;
export const kubeProxyMode = lab.kubeProxyMode;
export const notes = lab.notes;
