import { type Config, loadConfig, withEnvFile } from '../config.ts';

/** The CLI reads the same configuration as the server (environment, then ENV_FILE). */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(withEnvFile(env));
}
