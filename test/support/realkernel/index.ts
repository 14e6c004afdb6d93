/**
 * The real-kernel world: the captured v1.24 cluster in network namespaces
 * (docs/realkernel.md). A test checks `checkRealKernel()` first and skips,
 * saying why, where it cannot run.
 */
export { startKernelWorld, OUTSIDE_ADDRESS, WORLD_RANGE, type KernelWorld, type KernelWorldOptions } from "./world";
export { checkRealKernel, type IptablesTools, type RealKernelCheck } from "./prerequisites";
export { loadCapture, captureDir, SCENARIOS, type Capture, type CapturedNode, type CapturedPod, type Scenario } from "./capture";
export { worldNames, FAMILY_PREFIX } from "./names";
