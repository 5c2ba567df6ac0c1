// Starts a built server as its own process the way production does (`node --enable-source-maps
// dist/server.js`, or an explicit command such as the Dockerfile's CMD) on a free port, and waits for the
// line saying where it listens, so the test needs no polling loop and no fixed port.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Started {
  url: string;
  args: string[];
  output(): string;
  /** SIGTERM, then the exit code once the process has ended. */
  stop(): Promise<number | null>;
  /** SIGKILL if still running (cleanup after a failed assertion). */
  kill(): void;
}

export async function startCompiled(
  cwd: string,
  env: Record<string, string>,
  command: string[] = [process.execPath, '--enable-source-maps', 'dist/server.js'],
): Promise<Started> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(base)) if (k === 'DATABASE_URL' || k === 'APP_SECRET' || k.startsWith('SLACK_') || k === 'NODE_OPTIONS') delete base[k];
  const [bin, ...args] = command as [string, ...string[]];
  const child: ChildProcess = spawn(bin === 'node' ? process.execPath : bin, args, {
    cwd,
    env: { ...base, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^\s]*:(\d+)\)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    args,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
