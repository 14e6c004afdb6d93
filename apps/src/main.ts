/**
 * The workload's entry point: read the environment, listen, and on SIGTERM or
 * SIGINT stop accepting, finish in-flight requests and exit inside the grace
 * period. Logs are one JSON object per line on stdout; a bad environment is a
 * one-line message on stderr and exit code 2.
 */
import { ConfigError, loadConfig, type AppConfig } from "./config";
import { startApp } from "./server";

function log(event: string, fields: Readonly<Record<string, unknown>>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
}

async function run(config: AppConfig): Promise<void> {
  const app = await startApp(config);
  log("listening", { role: config.role, address: app.address, port: app.port, pod: config.podName, node: config.nodeName });

  const shutDown = (signal: NodeJS.Signals): void => {
    // close() stops accepting before it returns, so the log line below means "new connections are refused".
    const stopped = app.close();
    log("shutting down", { signal, graceMs: config.shutdownGraceMs });
    void stopped.then(({ drained }) => {
      log("stopped", { drained });
      process.exit(drained ? 0 : 1);
    });
  };
  // `once`: a second Ctrl-C (or SIGTERM) during the drain falls back to the default and ends the process at once.
  process.once("SIGTERM", shutDown);
  process.once("SIGINT", shutDown);
}

function main(): void {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`svclab-demo: ${error.message}\n`);
    process.exit(2);
  }
  run(config).catch((error: unknown) => {
    process.stderr.write(`svclab-demo: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

main();
