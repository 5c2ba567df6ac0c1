// Slack section: placeholder until the bot lands.
import type { BenchUser } from './lib/seed';
export async function benchSlack(_opts: { dbUrl: string; secret: string; users: BenchUser[]; quick: boolean }): Promise<Record<string, unknown>> {
  throw new Error('Slack measurement not implemented yet');
}
