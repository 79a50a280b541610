export type {
  ClusterStatus,
  PartitionReplica,
  RestartNodeOptions,
  RestateCluster,
  RestateClusterNode,
  StartRestateClusterOptions,
} from "./cluster.ts";
export { startRestateCluster } from "./cluster.ts";
export type { NodeRequestListener, RegisterOptions, ServedEndpoint, ServeEndpointOptions } from "./endpoint.ts";
export { RegistrationError, register, serveEndpoint } from "./endpoint.ts";
export type { LoopbackListener } from "./listen.ts";
export { listenOnLoopback } from "./listen.ts";
export type { MotoServer, StartMotoOptions } from "./moto.ts";
export { startMoto } from "./moto.ts";
export { freePort, freePorts } from "./ports.ts";
export type { ManagedProcess, SpawnManagedOptions } from "./processes.ts";
export { isAlive, spawnManaged } from "./processes.ts";
export { PythonEnvironmentError, pythonTool, repoRoot } from "./python.ts";
export type { RestateServer, StartRestateOptions } from "./restate.ts";
export { RESTATE_SERVER_VERSION, restateServerBinary, startRestate } from "./restate.ts";
export { ClusterQueryError, clusterSql, restatectlBinary } from "./restatectl.ts";
export type { WaitForOptions } from "./wait.ts";
export { eventually, sleep, WaitTimeoutError, waitFor } from "./wait.ts";
